// Where pipeline steps read and write storage: a folder or file of one of the pipeline tenant's
// destinations, opened through the storage adapters (never a local path). A location is what the
// definition names (`{destinationId, path}`) or what an earlier step recorded (the same plus the
// URI and, for the Data Landing Zone, which of its two containers). The destination is looked up
// with the pipeline's tenant every time, so a location can never open another tenant's storage.
import { z } from 'zod';
import { findDestination } from '../../destinations/destination-store.js';
import type { DlzContainerType } from '../../storage/dlz-credentials.js';
import { joinStoragePath, type ObjectStore } from '../../storage/object-store.js';
import type { StepContext } from './step-context.js';

/**
 * What a location is used for. A DLZ destination has two containers: the Platform's exports are
 * read from `dlz_destination`, and what goes back into the Platform (scores) lives in
 * `user_drop_zone` (reference cmle-pipeline-api §3).
 */
export type LocationRole = 'exported' | 'ingestible';

const dlzContainerOf: Record<LocationRole, DlzContainerType> = { exported: 'dlz_destination', ingestible: 'user_drop_zone' };

export const StepLocationSchema = z.object({
  destinationId: z.string().min(1),
  path: z.string(),
  dlzContainer: z.enum(['dlz_destination', 'user_drop_zone']).optional(),
  uri: z.string().optional(),
});
/** A location as steps record it in their outputs (what a reference resolves to). */
export type StepLocation = z.infer<typeof StepLocationSchema>;

export class LocationUnavailableError extends Error {
  override name = 'LocationUnavailableError';
}

/** A reference-or-literal storage input after resolution (a leftover reference is a bug). */
export function resolvedLocation(value: unknown): StepLocation {
  const parsed = StepLocationSchema.safeParse(value);
  if (!parsed.success) throw new Error('a storage input was not resolved to a location before the step ran');
  return parsed.data;
}

export interface OpenedLocation {
  store: ObjectStore;
  /** The location with its DLZ container (if any) decided. */
  location: StepLocation & { uri: string };
}

/** Opens the store of a location of the pipeline's tenant; the caller closes it. */
export async function openLocation(ctx: Pick<StepContext, 'db' | 'pipeline' | 'stores'>, location: StepLocation, role: LocationRole): Promise<OpenedLocation> {
  const destination = await findDestination(ctx.db, ctx.pipeline.tenantId, location.destinationId);
  if (destination === null) throw new LocationUnavailableError(`Destination ${location.destinationId} does not exist (or was deleted).`);
  const dlzContainer = destination.type === 'dlz' ? (location.dlzContainer ?? dlzContainerOf[role]) : undefined;
  const store = dlzContainer === undefined ? await ctx.stores.forDestination(destination) : await ctx.stores.forDlz(ctx.pipeline.tenantId, dlzContainer);
  const path = location.path;
  return { store, location: { destinationId: destination.id, path, ...(dlzContainer === undefined ? {} : { dlzContainer }), uri: store.uriOf(path) } };
}

/** The same location one level down (a file in a folder). */
export function childLocation(folder: StepLocation, name: string, store: ObjectStore): StepLocation & { uri: string } {
  const path = joinStoragePath(folder.path, name);
  return { destinationId: folder.destinationId, path, ...(folder.dlzContainer === undefined ? {} : { dlzContainer: folder.dlzContainer }), uri: store.uriOf(path) };
}

/** Runs `work` with the location's store open, and closes it (SFTP sessions) whatever happens. */
export async function withLocation<T>(
  ctx: Pick<StepContext, 'db' | 'pipeline' | 'stores'>,
  location: StepLocation,
  role: LocationRole,
  work: (opened: OpenedLocation) => Promise<T>,
): Promise<T> {
  const opened = await openLocation(ctx, location, role);
  try {
    return await work(opened);
  } finally {
    await opened.store.close().catch(() => undefined);
  }
}

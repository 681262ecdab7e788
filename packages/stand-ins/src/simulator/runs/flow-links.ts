// Reads what a dataset export needs from the Flow Service entities another module stores: the
// flow, its Data Lake source connection (which datasets) and its target connection (where, in
// which format). Parsed with zod because the bodies are stored client input.
import { z } from 'zod';
import type { SimulatorContext, Tenancy } from '../context.js';
import { destinationByConnectionSpec, type DestinationKey } from '../flow-service/spec-ids.js';
import { landingPathSegments, UnsafeLandingPathError, type ExportCompression, type ExportFormat } from '../landing/landing-path.js';

/** Flow specs of dataset exports (reference section 3); ad hoc dataset runs accept only these. */
export const DATASET_EXPORT_FLOW_SPEC_IDS: ReadonlySet<string> = new Set([
  '269ba276-16fc-47db-92b0-c1049a3c131f',
  '95bd8965-fc8a-4119-b9c3-944c2c2df6d2',
  '17be2013-2549-41ce-96e7-a70363bec293',
  'cd2fc47e-e838-4f38-a581-8fff2f99b63a',
  '585c15c4-6cbf-4126-8f87-e26bff78b657',
  '354d6aad-4754-46e4-a576-1b384561c440',
]);

export const flowViewSchema = z.looseObject({
  id: z.string(),
  state: z.string().optional(),
  flowSpec: z.looseObject({ id: z.string(), version: z.string().optional() }),
  sourceConnectionIds: z.array(z.string()).default([]),
  targetConnectionIds: z.array(z.string()).default([]),
  scheduleParams: z
    .looseObject({
      exportMode: z.string().optional(),
      startTime: z.number().optional(),
      endTime: z.number().optional(),
      interval: z.union([z.number(), z.string()]).optional(),
      timeUnit: z.string().optional(),
    })
    .optional(),
  createdAt: z.number().optional(),
  createdBy: z.string().optional(),
  createdClient: z.string().optional(),
  sandboxId: z.string().optional(),
  __sim: z
    .looseObject({
      readyAt: z.number().optional(),
      /** Index of the next schedule occurrence the scheduler may fire (run-scheduler.ts). */
      nextOccurrence: z.number().optional(),
      /** When the flow was last enabled: occurrences before it are not caught up. */
      enabledAt: z.number().optional(),
    })
    .optional(),
});
export type FlowView = z.infer<typeof flowViewSchema>;

const sourceConnectionViewSchema = z.looseObject({
  params: z.looseObject({ datasets: z.array(z.looseObject({ dataSetId: z.string() })).default([]) }).optional(),
});

const targetConnectionViewSchema = z.looseObject({
  baseConnectionId: z.string().optional(),
  params: z
    .looseObject({
      path: z.string().optional(),
      remotePath: z.string().optional(),
      datasetFileType: z.string().optional(),
      fileType: z.string().optional(),
      compression: z.string().optional(),
    })
    .optional(),
});

const baseConnectionViewSchema = z.looseObject({
  connectionSpec: z.looseObject({ id: z.string() }),
  auth: z.looseObject({ specName: z.string().optional(), params: z.record(z.string(), z.unknown()).default({}) }).nullable().optional(),
});

export class ExportTargetError extends Error {}

/** Where the files go: the destination kind, the base connection's auth and the target's location params. */
export interface LandingDestination {
  kind: DestinationKey;
  /** The base connection's auth (null for the Data Landing Zone). */
  auth: { specName?: string; params: Record<string, unknown> } | null;
  /** The target connection's params (bucketName, container, path, remotePath, ...). */
  params: Record<string, unknown>;
}

export interface ExportTarget {
  targetConnectionId: string;
  path: string;
  format: ExportFormat;
  compression: ExportCompression;
  destination: LandingDestination;
}

export async function loadFlow(ctx: SimulatorContext, t: Tenancy, flowId: string): Promise<FlowView | null> {
  const entity = await ctx.entities.get<unknown>(t, 'flow', flowId);
  if (entity === null) return null;
  const parsed = flowViewSchema.safeParse(entity.body);
  return parsed.success ? parsed.data : null;
}

/** Dataset ids the flow's source connections export. */
export async function flowDatasetIds(ctx: SimulatorContext, t: Tenancy, flow: FlowView): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const sourceId of flow.sourceConnectionIds) {
    const entity = await ctx.entities.get<unknown>(t, 'sourceConnection', sourceId);
    const parsed = sourceConnectionViewSchema.safeParse(entity?.body);
    if (!parsed.success) continue;
    for (const d of parsed.data.params?.datasets ?? []) ids.add(d.dataSetId);
  }
  return ids;
}

function normaliseFormat(value: string | undefined): ExportFormat {
  const upper = (value ?? 'PARQUET').toUpperCase();
  if (upper === 'PARQUET' || upper === 'JSON') return upper;
  throw new ExportTargetError(`unsupported datasetFileType ${value ?? ''}; the simulator exports JSON and PARQUET`);
}

function normaliseCompression(value: string | undefined): ExportCompression {
  const upper = (value ?? 'NONE').toUpperCase();
  if (upper === 'GZIP' || upper === 'NONE') return upper;
  throw new ExportTargetError(`unsupported compression ${value ?? ''}; dataset exports support GZIP and NONE`);
}

/** The flow's (first) target connection as an export destination; throws ExportTargetError. */
export async function loadExportTarget(ctx: SimulatorContext, t: Tenancy, flow: FlowView, targetConnectionId?: string): Promise<ExportTarget> {
  const id = targetConnectionId ?? flow.targetConnectionIds[0];
  if (id === undefined) throw new ExportTargetError(`flow ${flow.id} has no target connection`);
  const entity = await ctx.entities.get<unknown>(t, 'targetConnection', id);
  if (entity === null) throw new ExportTargetError(`target connection ${id} not found`);
  const parsed = targetConnectionViewSchema.safeParse(entity.body);
  if (!parsed.success) throw new ExportTargetError(`target connection ${id} is not a dataset export target`);
  const params = parsed.data.params ?? {};
  const path = params.path ?? params.remotePath ?? '';
  try {
    landingPathSegments(path);
  } catch (error) {
    if (error instanceof UnsafeLandingPathError) throw new ExportTargetError(error.message);
    throw error;
  }
  const format = normaliseFormat(params.datasetFileType ?? params.fileType);
  // JSON is exported compressed whatever the target says: Adobe's export docs support JSON
  // compressed only and aepp's exportDatasetToDLZ notes "JSON are automatically compressed"; the
  // V2 params schema itself allows JSON with NONE, so such a target is accepted (docs/simulator.md).
  return {
    targetConnectionId: id,
    path,
    format,
    compression: format === 'JSON' ? 'GZIP' : normaliseCompression(params.compression),
    destination: await loadLandingDestination(ctx, t, parsed.data.baseConnectionId, params),
  };
}

async function loadLandingDestination(ctx: SimulatorContext, t: Tenancy, baseConnectionId: string | undefined, params: Record<string, unknown>): Promise<LandingDestination> {
  if (baseConnectionId === undefined) throw new ExportTargetError('target connection has no base connection');
  const entity = await ctx.entities.get<unknown>(t, 'connection', baseConnectionId);
  if (entity === null) throw new ExportTargetError(`base connection ${baseConnectionId} not found`);
  const parsed = baseConnectionViewSchema.safeParse(entity.body);
  if (!parsed.success) throw new ExportTargetError(`base connection ${baseConnectionId} is not a destination connection`);
  const kind = destinationByConnectionSpec(parsed.data.connectionSpec.id);
  if (kind === undefined) throw new ExportTargetError(`base connection ${baseConnectionId} uses an unknown connection spec`);
  return { kind, auth: parsed.data.auth ?? null, params };
}

/** Whether every export of the flow is a full one (one-time full export mode). */
export function alwaysFullExport(flow: FlowView): boolean {
  return flow.scheduleParams?.exportMode?.toUpperCase() === 'DAILY_FULL_EXPORT';
}

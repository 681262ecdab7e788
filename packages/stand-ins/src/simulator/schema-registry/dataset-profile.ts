// What Profile needs to know about a dataset: whether it is enabled for Profile (Catalog tag
// `unifiedProfile: ["enabled:true"]`), its schema's class and the path of its primary identity.
// Datasets made from registry schemas answer from the registry; the seeded synthetic datasets use
// `_cmle.userid`, the notebooks' ECID identity.
import type { SimulatorContext, Tenancy } from '../context.js';
import type { StoredDataset } from '../datasets/dataset-store.js';
import { registryServiceFor } from './registry-service.js';
import { registryStoreFor } from './registry-store.js';
import { EXPERIENCE_EVENT_CLASS, PROFILE_CLASS, TENANT_NAMESPACE } from './xdm-constants.js';

export interface DatasetProfileInfo {
  profileEnabled: boolean;
  schemaClass: string | null;
  /** Path segments of the primary identity, e.g. ["_cmle", "userid"]; null when unknown. */
  identityPath: string[] | null;
}

export function isProfileEnabled(dataset: StoredDataset): boolean {
  return (dataset.tags.unifiedProfile ?? []).some((tag) => /^enabled:\s*true$/i.test(tag.trim()));
}

export async function datasetProfileInfo(ctx: SimulatorContext, t: Tenancy, dataset: StoredDataset): Promise<DatasetProfileInfo> {
  const profileEnabled = isProfileEnabled(dataset);
  const schemaId = dataset.schemaRef?.id;
  const schema = schemaId === undefined ? null : await registryStoreFor(ctx).getResource(t, schemaId, 'schemas');
  if (schema !== null) {
    const identity = await registryServiceFor(ctx).primaryIdentity(t, schema.id);
    const property = identity?.['xdm:sourceProperty'];
    return {
      profileEnabled,
      schemaClass: typeof schema.body['meta:class'] === 'string' ? schema.body['meta:class'] : null,
      identityPath: typeof property === 'string' ? property.split('/').filter((s) => s !== '') : null,
    };
  }
  if (dataset.kind !== null) {
    return { profileEnabled, schemaClass: dataset.kind === 'profile' ? PROFILE_CLASS : EXPERIENCE_EVENT_CLASS, identityPath: [TENANT_NAMESPACE, 'userid'] };
  }
  return { profileEnabled, schemaClass: null, identityPath: null };
}

/** The value at a path of a row, or undefined. */
export function valueAt(row: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = row;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

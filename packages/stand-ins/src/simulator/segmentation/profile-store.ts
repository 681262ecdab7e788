// The simulated Real-Time Customer Profile: every profile-enabled dataset of the XDM Individual
// Profile class, its rows merged per primary identity value (datasets in creation order, rows in
// ingestion order, later values win: a timestamp-ordered merge policy). Event datasets do not
// contribute, since the PQL subset only reads profile attributes.
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor, type StoredDataset } from '../datasets/dataset-store.js';
import type { Row } from '../datasets/fields.js';
import { datasetProfileInfo, valueAt } from '../schema-registry/dataset-profile.js';
import { PROFILE_CLASS } from '../schema-registry/xdm-constants.js';

const PAGE = 100;
/** The most rows the simulator merges into profiles for one segment job. */
export const MAX_PROFILE_ROWS = 2_000_000;

export class ProfileLimitError extends Error {}

function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge: objects merge key by key, any other value replaces. */
export function mergeInto(target: Row, source: Row): Row {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    target[key] = isObject(current) && isObject(value) ? mergeInto({ ...current }, value) : value;
  }
  return target;
}

async function profileDatasets(ctx: SimulatorContext, t: Tenancy): Promise<{ dataset: StoredDataset; identityPath: string[] }[]> {
  const store = datasetStoreFor(ctx);
  const found: { dataset: StoredDataset; identityPath: string[] }[] = [];
  for (let start = 0; ; start += PAGE) {
    const page = await store.listDatasets(t, { start, limit: PAGE });
    for (const dataset of page.items) {
      const info = await datasetProfileInfo(ctx, t, dataset);
      if (info.profileEnabled && info.schemaClass === PROFILE_CLASS && info.identityPath !== null) found.push({ dataset, identityPath: info.identityPath });
    }
    if (page.items.length < PAGE || start + PAGE >= page.total) return found;
  }
}

/** Merged profiles of the sandbox, in first-seen order of their identity. */
export async function loadProfiles(ctx: SimulatorContext, t: Tenancy): Promise<Row[]> {
  const store = datasetStoreFor(ctx);
  const profiles = new Map<string, Row>();
  let rowsRead = 0;
  for (const { dataset, identityPath } of await profileDatasets(ctx, t)) {
    const rows = await store.readRows(t, dataset.id, { limit: MAX_PROFILE_ROWS - rowsRead + 1 });
    rowsRead += rows.length;
    if (rowsRead > MAX_PROFILE_ROWS) throw new ProfileLimitError(`More than ${MAX_PROFILE_ROWS} profile rows; the simulator's segment jobs stop there.`);
    for (const { row } of rows) {
      const identity = valueAt(row, identityPath);
      if (typeof identity !== 'string' && typeof identity !== 'number') continue;
      const key = String(identity);
      profiles.set(key, mergeInto(profiles.get(key) ?? {}, row));
    }
  }
  return [...profiles.values()];
}

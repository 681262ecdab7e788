// What the accept path needs to know about a dataset (does the Platform know it, what are its usage
// labels), read from the Platform and cached per tenant and dataset so a burst of exports of one
// dataset costs two Platform calls, not two per request. One read in flight per key. A fact is
// fresh for ttlMs (DATASET_FACTS_TTL_MS, 30 s by default); after that it is read again in the
// background while the last known value keeps answering, up to staleMs (10 × ttlMs): a Platform
// outage then costs accepts of known datasets nothing. Governance stays safe meanwhile: the worker
// reads the labels again before every run and refuses what they forbid.
import type { PlatformClient } from '../platform/client.js';
import { PlatformError } from '../platform/errors.js';
import type { SchemaField } from '../platform/schema-fields.js';
import type { CatalogDataset, DatasetLabels } from '../platform/types.js';

export interface DatasetFacts {
  /** null when the Platform's Catalog has no dataset with this id. */
  dataset: CatalogDataset | null;
  /** null when the dataset has no labels entity (no labels at all). */
  labels: DatasetLabels | null;
}

export interface DatasetFactsCache {
  /**
   * The facts when both are cached and fresh, without a promise; undefined otherwise (then `get`).
   * The accept path asks this first: a hit needs no Platform deadline (a timer per request).
   */
  fresh(tenantId: string, datasetId: string): DatasetFacts | undefined;
  get(tenantId: string, datasetId: string, platform: Pick<PlatformClient, 'getDataset' | 'getDatasetLabels'>): Promise<DatasetFacts>;
  /** Only labels (the dataset list already knows the dataset exists). */
  labels(tenantId: string, datasetId: string, platform: Pick<PlatformClient, 'getDatasetLabels'>): Promise<DatasetLabels | null>;
  /** The fields of a schema; null when the registry does not show it to this credential. */
  schemaFields(tenantId: string, schemaId: string, platform: Pick<PlatformClient, 'getSchemaFields'>): Promise<SchemaField[] | null>;
}

interface Entry<T> {
  value: Promise<T>;
  until: number;
  /** The last value read, kept while a refresh is on its way (stale-while-revalidate). */
  settled?: { value: T; staleUntil: number };
  refreshing?: boolean;
}

/** A small TTL map of promises: concurrent callers share one read; failures are not kept. */
function promiseCache<T>(ttlMs: number, staleMs: number, now: () => number, maxEntries: number) {
  const entries = new Map<string, Entry<T>>();
  const remember = (key: string, entry: Entry<T>, value: Promise<T>): void => {
    value.then(
      (settled) => {
        if (entries.get(key) === entry) entry.settled = { value: settled, staleUntil: now() + staleMs };
      },
      () => {
        if (entries.get(key) === entry && entry.settled === undefined) entries.delete(key);
      },
    );
  };
  /** The value read, while it is fresh and settled; undefined otherwise. */
  const fresh = (key: string): { value: T } | undefined => {
    const hit = entries.get(key);
    return hit?.settled !== undefined && hit.until > now() ? { value: hit.settled.value } : undefined;
  };
  const read = (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    const at = now();
    if (hit && hit.until > at) return hit.value;
    if (hit?.settled && hit.settled.staleUntil > at) {
      // Expired but recent: answer with it and read again behind the scenes.
      if (!hit.refreshing) {
        hit.refreshing = true;
        const fresh = load();
        fresh.then(
          (value) => {
            hit.value = fresh;
            hit.until = now() + ttlMs;
            hit.settled = { value, staleUntil: now() + staleMs };
          },
          () => undefined,
        ).finally(() => {
          hit.refreshing = false;
        });
      }
      return Promise.resolve(hit.settled.value);
    }
    if (entries.size >= maxEntries) entries.clear();
    const value = load();
    const entry: Entry<T> = { value, until: at + ttlMs };
    entries.set(key, entry);
    remember(key, entry, value);
    return value;
  };
  return Object.assign(read, { fresh });
}

export const defaultDatasetFactsTtlMs = 30_000;

export function createDatasetFactsCache(opts: { ttlMs?: number; staleMs?: number; now?: () => number; maxEntries?: number } = {}): DatasetFactsCache {
  const ttlMs = opts.ttlMs ?? defaultDatasetFactsTtlMs;
  const staleMs = opts.staleMs ?? 10 * ttlMs;
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 10_000;
  const datasets = promiseCache<CatalogDataset | null>(ttlMs, staleMs, now, maxEntries);
  const labels = promiseCache<DatasetLabels | null>(ttlMs, staleMs, now, maxEntries);
  const schemas = promiseCache<SchemaField[] | null>(ttlMs, staleMs, now, maxEntries);

  const nullWhenNotFound = (error: unknown) => {
    if (error instanceof PlatformError && error.kind === 'not_found') return null;
    throw error;
  };
  const readLabels = (platform: Pick<PlatformClient, 'getDatasetLabels'>, datasetId: string) =>
    platform.getDatasetLabels(datasetId).catch(nullWhenNotFound);

  return {
    fresh(tenantId, datasetId) {
      const key = `${tenantId}\n${datasetId}`;
      const dataset = datasets.fresh(key);
      if (dataset === undefined) return undefined;
      if (dataset.value === null) return { dataset: null, labels: null };
      const datasetLabels = labels.fresh(key);
      return datasetLabels === undefined ? undefined : { dataset: dataset.value, labels: datasetLabels.value };
    },
    async get(tenantId, datasetId, platform) {
      const key = `${tenantId}\n${datasetId}`;
      // Both reads start at once; the labels only matter when the dataset exists.
      const [dataset, datasetLabels] = await Promise.allSettled([
        datasets(key, () => platform.getDataset(datasetId).catch(nullWhenNotFound)),
        labels(key, () => readLabels(platform, datasetId)),
      ]);
      if (dataset.status === 'rejected') throw dataset.reason;
      if (dataset.value === null) return { dataset: null, labels: null };
      if (datasetLabels.status === 'rejected') throw datasetLabels.reason;
      return { dataset: dataset.value, labels: datasetLabels.value };
    },
    labels(tenantId, datasetId, platform) {
      return labels(`${tenantId}\n${datasetId}`, () => readLabels(platform, datasetId));
    },
    schemaFields(tenantId, schemaId, platform) {
      // A schema the credential may not read (no "View Schemas") or that is gone leaves the fields
      // unknown; it does not make the dataset itself unreadable.
      return schemas(`${tenantId}\n${schemaId}`, () =>
        platform.getSchemaFields(schemaId).catch((error: unknown) => {
          if (error instanceof PlatformError && (error.kind === 'not_found' || error.kind === 'permission')) return null;
          throw error;
        }),
      );
    },
  };
}

// What the accept path needs to know about a dataset (does the Platform know it, what are its usage
// labels), read from the Platform and cached briefly per tenant and dataset so a burst of exports
// of one dataset costs two Platform calls, not two per request. One read in flight per key.
import type { PlatformClient } from '../platform/client.js';
import { PlatformError } from '../platform/errors.js';
import type { CatalogDataset, DatasetLabels } from '../platform/types.js';

export interface DatasetFacts {
  /** null when the Platform's Catalog has no dataset with this id. */
  dataset: CatalogDataset | null;
  /** null when the dataset has no labels entity (no labels at all). */
  labels: DatasetLabels | null;
}

export interface DatasetFactsCache {
  get(tenantId: string, datasetId: string, platform: Pick<PlatformClient, 'getDataset' | 'getDatasetLabels'>): Promise<DatasetFacts>;
  /** Only labels (the dataset list already knows the dataset exists). */
  labels(tenantId: string, datasetId: string, platform: Pick<PlatformClient, 'getDatasetLabels'>): Promise<DatasetLabels | null>;
}

interface Entry<T> {
  value: Promise<T>;
  until: number;
}

/** A small TTL map of promises: concurrent callers share one read; failures are not kept. */
function promiseCache<T>(ttlMs: number, now: () => number, maxEntries: number) {
  const entries = new Map<string, Entry<T>>();
  return (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    if (hit && hit.until > now()) return hit.value;
    if (entries.size >= maxEntries) entries.clear();
    const value = load();
    entries.set(key, { value, until: now() + ttlMs });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}

export function createDatasetFactsCache(opts: { ttlMs?: number; now?: () => number; maxEntries?: number } = {}): DatasetFactsCache {
  const ttlMs = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 10_000;
  const datasets = promiseCache<CatalogDataset | null>(ttlMs, now, maxEntries);
  const labels = promiseCache<DatasetLabels | null>(ttlMs, now, maxEntries);

  const nullWhenNotFound = (error: unknown) => {
    if (error instanceof PlatformError && error.kind === 'not_found') return null;
    throw error;
  };
  const readLabels = (platform: Pick<PlatformClient, 'getDatasetLabels'>, datasetId: string) =>
    platform.getDatasetLabels(datasetId).catch(nullWhenNotFound);

  return {
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
  };
}

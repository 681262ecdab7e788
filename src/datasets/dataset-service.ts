// Dataset use cases, answered from the caller's Platform sandbox: list the exportable datasets
// with their usage labels, show one, and decide whether an export of it may be accepted.
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import type { PlatformRegistry } from '../platform-registry.js';
import { PlatformError } from '../platform/errors.js';
import type { CatalogDataset, DatasetLabels } from '../platform/types.js';
import { findTenant } from '../tenants/tenant-store.js';
import type { DatasetFactsCache } from './dataset-facts.js';
import { encodeDatasetCursor, type Dataset } from './dataset-schemas.js';
import { judgeDatasetLabels } from './governance.js';
import { withPlatformProblems } from './platform-failure.js';

export interface DatasetServiceDeps {
  db: Db;
  platforms: PlatformRegistry;
  facts: DatasetFactsCache;
  /**
   * The longest the accept path waits for a dataset's facts, retries included (one Platform
   * timeout): an outage answers 503 after it, it never stalls an accept for several.
   */
  factsDeadlineMs: number;
}

/** Label reads in flight at once while listing a page. */
const labelConcurrency = 8;

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

function presentDataset(
  dataset: { id: string; name?: string | undefined; description?: string | undefined },
  labels: DatasetLabels | null,
  allowSensitiveLabels: boolean,
): Dataset {
  const verdict = judgeDatasetLabels(labels, { allowSensitiveLabels });
  return {
    id: dataset.id,
    name: dataset.name ?? null,
    description: dataset.description ?? null,
    labels: {
      dataset: labels?.labels ?? [],
      fields: (labels?.fieldLabels ?? []).map((f) => ({ schemaPath: f.schemaPath ?? null, labels: f.labels })),
    },
    governance: verdict.allowed
      ? { exportable: true, refusedLabels: [], reason: null }
      : { exportable: false, refusedLabels: verdict.refusedLabels, reason: verdict.reason },
  };
}

/** The Platform's answer, or a transient PlatformError once deadlineMs have passed. */
function withinDeadline<T>(read: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PlatformError({ kind: 'transient', plainMessage: `The Platform did not answer about the dataset within ${deadlineMs} ms.`, endpoint: 'dataset facts', reachedServer: false })),
      deadlineMs,
    );
  });
  return Promise.race([read, expired]).finally(() => clearTimeout(timer));
}

export function createDatasetService({ db, platforms, facts, factsDeadlineMs }: DatasetServiceDeps) {
  async function tenantOf(tenantId: string) {
    const tenant = await findTenant(db, tenantId);
    if (!tenant) throw new AppError('unauthorized', 'The API key belongs to a tenant that no longer exists.');
    return tenant;
  }

  /** Dataset and labels through the short-lived cache (the export accept path). */
  function factsFor(
    tenant: Parameters<PlatformRegistry['platformFor']>[0],
    datasetId: string,
  ): Promise<{ dataset: CatalogDataset | null; labels: DatasetLabels | null }> {
    return withPlatformProblems(() => withinDeadline(facts.get(tenant.id, datasetId, platforms.platformFor(tenant)), factsDeadlineMs));
  }

  return {
    async list(tenantId: string, page: { limit: number; start: number }) {
      const tenant = await tenantOf(tenantId);
      const platform = platforms.platformFor(tenant);
      return withPlatformProblems(async () => {
        const result = await platform.listExportableDatasets({ start: page.start, limit: page.limit });
        const items = await mapLimited(result.items, labelConcurrency, async (item) =>
          presentDataset(item, await facts.labels(tenant.id, item.id, platform), tenant.allowSensitiveLabels),
        );
        const hasNext = result.pageInfo?.hasNext ?? result.items.length === page.limit;
        return { items, nextCursor: hasNext && result.items.length > 0 ? encodeDatasetCursor(page.start + result.items.length) : null };
      });
    },

    async get(tenantId: string, datasetId: string): Promise<Dataset> {
      const tenant = await tenantOf(tenantId);
      const known = await factsFor(tenant, datasetId);
      if (!known.dataset) throw notFound('Dataset', datasetId);
      return presentDataset(known.dataset, known.labels, tenant.allowSensitiveLabels);
    },

    facts: factsFor,
  };
}

export type DatasetService = ReturnType<typeof createDatasetService>;

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
import { sqlSourceTables } from './sql-sources.js';
import type { SchemaField } from '../platform/schema-fields.js';
import { queryServiceTableOf, tableNamesOf } from './table-names.js';

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

/** What Catalog and the Schema Registry say of a dataset beyond its labels. */
interface DatasetShape {
  tableName: string | null;
  fields: SchemaField[] | null;
}

function presentDataset(
  dataset: { id: string; name?: string | undefined; description?: string | undefined },
  labels: DatasetLabels | null,
  allowSensitiveLabels: boolean,
  shape: DatasetShape,
): Dataset {
  const verdict = judgeDatasetLabels(labels, { allowSensitiveLabels });
  return {
    id: dataset.id,
    name: dataset.name ?? null,
    description: dataset.description ?? null,
    tableName: shape.tableName,
    fields: shape.fields,
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

type PlatformTenant = Parameters<PlatformRegistry['platformFor']>[0];

/** Catalog pages read to find the datasets behind a SQL's table names (100 datasets a page). */
const catalogPageSize = 100;
const maxCatalogPages = 50;
const tableIndexTtlMs = 60_000;

/** Where in the request a refused dataset was named, and what to add to the problem. */
export interface GovernanceSite {
  /** JSON Pointer of the field naming the dataset (or the SQL reading it). */
  pointer: string;
  /** Extra problem members, e.g. the pipeline step. */
  members?: Record<string, unknown>;
}

export function createDatasetService({ db, platforms, facts, factsDeadlineMs }: DatasetServiceDeps) {
  const tableIndexes = new Map<string, { index: Promise<Map<string, CatalogDataset>>; until: number }>();

  /**
   * The sandbox's datasets by every Query Service name they answer to (the `adobe/pqs/table` tag,
   * the id, and an identifier-shaped name), read from Catalog page by page and kept a minute.
   */
  function tableIndex(tenant: PlatformTenant & { id: string }): Promise<Map<string, CatalogDataset>> {
    const hit = tableIndexes.get(tenant.id);
    if (hit && hit.until > Date.now()) return hit.index;
    const platform = platforms.platformFor(tenant);
    const index = (async () => {
      const byName = new Map<string, CatalogDataset>();
      for (let page = 0; page < maxCatalogPages; page++) {
        const items = await platform.listDatasets({ start: page * catalogPageSize, limit: catalogPageSize });
        for (const dataset of items) for (const name of tableNamesOf(dataset)) if (!byName.has(name)) byName.set(name, dataset);
        if (items.length < catalogPageSize) break;
      }
      return byName;
    })();
    if (tableIndexes.size > 1000) tableIndexes.clear();
    tableIndexes.set(tenant.id, { index, until: Date.now() + tableIndexTtlMs });
    index.catch(() => tableIndexes.delete(tenant.id));
    return index;
  }

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
    // Cached and fresh: no Platform call to bound, so no deadline timer (the accept path's usual case).
    const known = facts.fresh(tenant.id, datasetId);
    if (known !== undefined) return Promise.resolve(known);
    return withPlatformProblems(() => withinDeadline(facts.get(tenant.id, datasetId, platforms.platformFor(tenant)), factsDeadlineMs));
  }

  /** Table name (Catalog) and fields (Schema Registry) of a dataset Catalog returned. */
  async function shapeOf(tenantId: string, dataset: CatalogDataset | null, platform: ReturnType<PlatformRegistry['platformFor']>): Promise<DatasetShape> {
    if (dataset === null) return { tableName: null, fields: null };
    const schemaId = dataset.schemaRef?.id;
    return {
      tableName: queryServiceTableOf(dataset),
      fields: schemaId === undefined ? null : await facts.schemaFields(tenantId, schemaId, platform),
    };
  }

  return {
    async list(tenantId: string, page: { limit: number; start: number }) {
      const tenant = await tenantOf(tenantId);
      const platform = platforms.platformFor(tenant);
      return withPlatformProblems(async () => {
        const result = await platform.listExportableDatasets({ start: page.start, limit: page.limit });
        // The exportable list carries no tags or schema: Catalog (cached) gives them per dataset.
        const items = await mapLimited(result.items, labelConcurrency, async (item) => {
          const [known, labels] = await Promise.all([facts.get(tenant.id, item.id, platform), facts.labels(tenant.id, item.id, platform)]);
          return presentDataset(item, labels, tenant.allowSensitiveLabels, await shapeOf(tenant.id, known.dataset, platform));
        });
        const hasNext = result.pageInfo?.hasNext ?? result.items.length === page.limit;
        return { items, nextCursor: hasNext && result.items.length > 0 ? encodeDatasetCursor(page.start + result.items.length) : null };
      });
    },

    async get(tenantId: string, datasetId: string): Promise<Dataset> {
      const tenant = await tenantOf(tenantId);
      const known = await factsFor(tenant, datasetId);
      if (!known.dataset) throw notFound('Dataset', datasetId);
      const shape = await withPlatformProblems(() => shapeOf(tenant.id, known.dataset, platforms.platformFor(tenant)));
      return presentDataset(known.dataset, known.labels, tenant.allowSensitiveLabels, shape);
    },

    facts: factsFor,

    /**
     * The governance check of an export at acceptance (POST /exports, pipeline export steps): the
     * Platform must know the dataset and its usage labels must allow this tenant to export it.
     * 422 `unprocessable` for an unknown dataset, 422 `governance_refused` naming the labels.
     */
    async assertExportable(tenant: PlatformTenant & { id: string; allowSensitiveLabels: boolean; sandboxName: string }, datasetId: string, site: GovernanceSite): Promise<void> {
      const known = await factsFor(tenant, datasetId);
      if (!known.dataset) {
        throw new AppError('unprocessable', `The Platform has no dataset ${datasetId} in sandbox ${tenant.sandboxName}.`, {
          ...site.members,
          errors: [{ location: 'body', pointer: site.pointer, message: 'is not a dataset the Platform knows' }],
        });
      }
      const verdict = judgeDatasetLabels(known.labels, { allowSensitiveLabels: tenant.allowSensitiveLabels });
      if (!verdict.allowed) {
        throw new AppError('governance_refused', verdict.reason, {
          ...site.members,
          datasetId,
          labels: verdict.labels,
          refusedLabels: verdict.refusedLabels,
          errors: [{ location: 'body', pointer: site.pointer, message: `carries ${verdict.refusedLabels.join(', ')}` }],
        });
      }
    },

    /**
     * The governance check of a featurization at acceptance: no dataset the SQL reads may carry a
     * label that forbids the work (C9: no data science; C12: no export, and the features are made
     * to leave the Platform). Sensitive labels (PSPD, RHD) are judged where data leaves: at the
     * export of the featurized dataset. Table names no dataset carries are left to Query Service.
     */
    async assertSourcesUsable(tenant: PlatformTenant & { id: string }, sql: string, site: GovernanceSite): Promise<void> {
      const tables = sqlSourceTables(sql);
      if (tables.length === 0) return;
      const platform = platforms.platformFor(tenant);
      const index = await withPlatformProblems(() => tableIndex(tenant));
      for (const table of tables) {
        const dataset = index.get(table);
        if (dataset === undefined) continue;
        const labels = await withPlatformProblems(() => facts.labels(tenant.id, dataset.id, platform));
        // Only the labels that forbid the work itself (C9, C12), whatever the tenant allows.
        const verdict = judgeDatasetLabels(labels, { allowSensitiveLabels: true });
        if (!verdict.allowed) {
          throw new AppError('governance_refused', `Table ${table} (dataset ${dataset.id}): ${verdict.reason}`, {
            ...site.members,
            datasetId: dataset.id,
            table,
            labels: verdict.labels,
            refusedLabels: verdict.refusedLabels,
            errors: [{ location: 'body', pointer: site.pointer, message: `reads table ${table}, which carries ${verdict.refusedLabels.join(', ')}` }],
          });
        }
      }
    },
  };
}

export type DatasetService = ReturnType<typeof createDatasetService>;

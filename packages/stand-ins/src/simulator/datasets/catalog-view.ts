// How stored datasets look on the wire: Catalog's dataset object (catalog.yaml dataSetResponse)
// and the Dataset Service labels payload and 404 (dataset-service.yaml).
import { createHash } from 'node:crypto';
import type { DatasetLabels } from './synthetic.js';
import type { StoredDataset } from './dataset-store.js';
import { observableSchema } from './fields.js';

const SIMULATOR_CLIENT = 'aep-platform-simulator';
const SIMULATOR_USER = 'aep-platform-simulator@AdobeID';

function hexOf(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

export type CatalogDataSet = Record<string, unknown>;

/** Catalog's dataset object (without its id, which is the key of the response map). */
export function catalogDataSet(d: StoredDataset): CatalogDataSet {
  const viewId = hexOf(`view|${d.orgId}|${d.sandbox}|${d.id}`, 24);
  return {
    version: '1.0.0',
    imsOrg: d.orgId,
    name: d.name,
    ...(d.description === null ? {} : { description: d.description }),
    created: d.createdMs,
    updated: d.updatedMs,
    createdClient: SIMULATOR_CLIENT,
    createdUser: SIMULATOR_USER,
    updatedUser: SIMULATOR_USER,
    tags: d.tags,
    viewId,
    // A fake data lake URI: the simulator keeps rows in Postgres, not in files.
    basePath: `simulator://datalake/${d.sandbox}/${d.id}/datasetViewId=${viewId}`,
    files: `@/dataSetFiles?dataSetId=${d.id}`,
    fileDescription: { persisted: true, containerFormat: 'parquet', format: 'parquet' },
    ...(d.schemaRef === null ? {} : { schemaRef: d.schemaRef }),
    observableSchema: observableSchema(d.fields),
  };
}

/** Keeps only the listed top-level properties (Catalog's `properties=` projection). */
export function projectProperties(body: CatalogDataSet, properties: string[] | undefined): CatalogDataSet {
  if (properties === undefined) return body;
  const wanted = new Set(properties);
  return Object.fromEntries(Object.entries(body).filter(([key]) => wanted.has(key)));
}

export function labelsPayload(labels: DatasetLabels): DatasetLabels {
  return { labels: labels.labels, optionalLabels: labels.optionalLabels };
}

/** The labels entity's etag (quoted), derived from the dataset's last update. */
export function labelsEtag(d: StoredDataset): string {
  return `"${hexOf(`labels|${d.id}|${d.updatedMs}|${JSON.stringify(d.labels)}`, 32)}"`;
}

export interface LabelsNotFoundBody {
  timestamp: string;
  status: 'NOT_FOUND';
  code: 'PES-404';
  message: string;
  path: string;
}

export function labelsNotFound(datasetId: string, nowMs: number): LabelsNotFoundBody {
  return {
    timestamp: new Date(nowMs).toISOString(),
    status: 'NOT_FOUND',
    code: 'PES-404',
    message: 'GET Entities Not Found',
    path: `/entities/AEP:dataset:${datasetId}`,
  };
}

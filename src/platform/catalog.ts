// Catalog (`/data/foundation/catalog`, catalog.yaml): datasets (`retrieveDataset`, `listDatasets`,
// `createDataset`, `deleteDataset`) and the batch view of ingestion (`retrieveBatch`,
// `listBatches`). Catalog answers reads as `{ "<id>": object }` maps. The pipeline side's calls
// (dataset creation, batches) name the 'Manage Datasets' permission in a 403; the export side's
// dataset reads keep the datasets area's wording.
import type { CallOptions, Send } from './call-executor.js';
import { sendEnding } from './ending-call.js';
import { CatalogBatchSchema, type CatalogBatch } from './pipeline-types.js';
import { asRecord, parseBody, parseCatalogDatasets, parseCatalogObjects, unexpectedResponse } from './responses.js';
import type { CatalogDataset } from './types.js';

const CATALOG = '/data/foundation/catalog';
const datasets = { area: 'datasets' as const, subject: 'dataset' };
const managedDatasets = { ...datasets, permission: 'Manage Datasets' };
const batches = { area: 'datasets' as const, subject: 'batch', permission: 'Manage Datasets' };
const datasetPath = (datasetId: string) => `${CATALOG}/dataSets/${encodeURIComponent(datasetId)}`;

export interface CreateDatasetInput {
  name: string;
  schemaId: string;
  description?: string;
  tags?: Record<string, string[]>;
}

export function catalogMethods(send: Send) {
  return {
    async getDataset(datasetId: string, opts?: CallOptions): Promise<CatalogDataset> {
      const call = { ...datasets, endpoint: 'datasets.get' };
      const response = await send({ ...call, method: 'GET', path: datasetPath(datasetId) }, opts);
      const found = parseCatalogDatasets(response, call).find((d) => d.id === datasetId);
      if (!found) throw unexpectedResponse(call, response.status, 'the dataset id is not in the answer');
      return found;
    },

    async listDatasets(query: { limit?: number; start?: number; name?: string } = {}, opts?: CallOptions): Promise<CatalogDataset[]> {
      const call = { ...datasets, endpoint: 'datasets.list' };
      const pairs: [string, string | number][] = [];
      if (query.limit !== undefined) pairs.push(['limit', query.limit]);
      if (query.start !== undefined) pairs.push(['start', query.start]);
      if (query.name !== undefined) pairs.push(['name', query.name]);
      const response = await send({ ...call, method: 'GET', path: `${CATALOG}/dataSets`, query: pairs }, opts);
      return parseCatalogDatasets(response, call);
    },

    /** `POST /dataSets` -> 201 `["@/dataSets/<id>"]`; returns the id. Find it by name after a lost answer. */
    async createDataset(input: CreateDatasetInput, opts?: CallOptions): Promise<{ id: string }> {
      const call = { ...managedDatasets, endpoint: 'datasets.create', ambiguous: true };
      const response = await send(
        {
          ...call,
          method: 'POST',
          path: `${CATALOG}/dataSets`,
          safety: 'create',
          body: {
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            schemaRef: { id: input.schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
            ...(input.tags === undefined ? {} : { tags: input.tags }),
            fileDescription: { persisted: true, containerFormat: 'parquet', format: 'parquet' },
          },
        },
        opts,
      );
      const first = Array.isArray(response.body) ? (response.body as unknown[])[0] : undefined;
      const id = typeof first === 'string' ? first.split('/').pop() : undefined;
      if (id === undefined || id === '') throw unexpectedResponse(call, response.status, 'expected ["@/dataSets/<id>"]');
      return { id };
    },

    /** Deletes a dataset and its data (catalog.yaml `deleteDataset`); false when it was already gone. */
    deleteDataset: (datasetId: string, opts?: CallOptions): Promise<boolean> =>
      sendEnding(send, { ...datasets, endpoint: 'datasets.delete', method: 'DELETE', path: datasetPath(datasetId) }, opts),

    async getBatch(batchId: string, opts?: CallOptions): Promise<CatalogBatch> {
      const call = { ...batches, endpoint: 'batches.get' };
      const response = await send({ ...call, method: 'GET', path: `${CATALOG}/batches/${encodeURIComponent(batchId)}` }, opts);
      const value = asRecord(response.body)?.[batchId];
      return { ...parseBody(CatalogBatchSchema, { ...response, body: value }, call), id: batchId };
    },

    /** The newest batches of a dataset (one page). */
    async listDatasetBatches(datasetId: string, opts?: CallOptions & { limit?: number }): Promise<CatalogBatch[]> {
      const call = { ...batches, endpoint: 'batches.list' };
      const response = await send({ ...call, method: 'GET', path: `${CATALOG}/batches`, query: [['dataSet', datasetId], ['limit', opts?.limit ?? 50]] }, opts);
      return parseCatalogObjects(CatalogBatchSchema, response, call, 'batch');
    },
  };
}

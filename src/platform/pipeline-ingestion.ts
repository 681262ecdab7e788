// Catalog dataset creation and batch ingestion (`/data/foundation/import`) with Catalog's batch
// view: create a batch (with our externalId, so a lost answer can be found again), upload a JSON
// file, COMPLETE (retry-safe at the Platform), then read its status.
import type { CallOptions } from './client.js';
import type { PipelineSend } from './pipeline-call.js';
import { CatalogBatchSchema, ImportBatchSchema, type CatalogBatch } from './pipeline-types.js';
import { parseBody, unexpectedResponse } from './responses.js';

const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import';
const datasets = { area: 'datasets' as const, subject: 'dataset', permission: 'Manage Datasets' };
const batches = { area: 'datasets' as const, subject: 'batch', permission: 'Manage Datasets' };

export interface CreateDatasetInput {
  name: string;
  schemaId: string;
  description?: string;
  tags?: Record<string, string[]>;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function ingestionMethods(send: PipelineSend) {
  return {
    /** `POST /dataSets` -> 201 `["@/dataSets/<id>"]`; returns the id. Find it by name after a lost answer. */
    async createDataset(input: CreateDatasetInput, opts?: CallOptions): Promise<{ id: string }> {
      const meta = { ...datasets, endpoint: 'datasets.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
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
      if (id === undefined || id === '') throw unexpectedResponse(meta, response.status, 'expected ["@/dataSets/<id>"]');
      return { id };
    },

    /** `POST /batches` (JSON). The externalId is how a lost answer is found again. */
    async createBatch(input: { datasetId: string; externalId: string }, opts?: CallOptions): Promise<{ id: string }> {
      const meta = { ...batches, endpoint: 'batches.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
          method: 'POST',
          path: `${IMPORT}/batches`,
          safety: 'create',
          // batch-ingestion.yaml IngestBatch.inputFormat.format enum: JSON, Parquet, CSV.
          body: { datasetId: input.datasetId, inputFormat: { format: 'JSON', isMultiLineJson: true }, externalId: input.externalId },
        },
        opts,
      );
      return { id: parseBody(ImportBatchSchema, response, meta).id };
    },

    /**
     * Uploads one file (a JSON array of rows; the batch is multi-line JSON); a repeated upload of
     * the same name replaces it. batch-ingestion.yaml `uploadSmallFile` takes only
     * `application/octet-stream`, so the JSON text goes as bytes.
     */
    async uploadBatchFile(batchId: string, datasetId: string, fileName: string, rows: readonly unknown[], opts?: CallOptions): Promise<void> {
      await send(
        {
          ...batches,
          endpoint: 'batches.upload',
          method: 'PUT',
          path: `${IMPORT}/batches/${encodeURIComponent(batchId)}/datasets/${encodeURIComponent(datasetId)}/files/${encodeURIComponent(fileName)}`,
          rawBody: { contentType: 'application/octet-stream', data: JSON.stringify(rows) },
        },
        opts,
      );
    },

    /** Signals that every file is uploaded; retrying it is safe (reference 4.2). */
    async completeBatch(batchId: string, opts?: CallOptions): Promise<void> {
      await send({ ...batches, endpoint: 'batches.complete', method: 'POST', path: `${IMPORT}/batches/${encodeURIComponent(batchId)}`, query: [['action', 'COMPLETE']] }, opts);
    },

    async getBatch(batchId: string, opts?: CallOptions): Promise<CatalogBatch> {
      const meta = { ...batches, endpoint: 'batches.get' };
      const response = await send({ ...meta, method: 'GET', path: `${CATALOG}/batches/${encodeURIComponent(batchId)}` }, opts);
      const value = asRecord(response.body)?.[batchId];
      return { ...parseBody(CatalogBatchSchema, { ...response, body: value }, meta), id: batchId };
    },

    /** The newest batches of a dataset (one page). */
    async listDatasetBatches(datasetId: string, opts?: CallOptions & { limit?: number }): Promise<CatalogBatch[]> {
      const meta = { ...batches, endpoint: 'batches.list' };
      const response = await send(
        { ...meta, method: 'GET', path: `${CATALOG}/batches`, query: [['dataSet', datasetId], ['limit', opts?.limit ?? 50]] },
        opts,
      );
      const record = asRecord(response.body);
      if (!record) throw unexpectedResponse(meta, response.status, 'expected an object keyed by batch id');
      return Object.entries(record).map(([id, value]) => ({ ...parseBody(CatalogBatchSchema, { ...response, body: value }, meta), id }));
    },
  };
}

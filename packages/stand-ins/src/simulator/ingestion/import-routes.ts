// Batch ingestion under /data/foundation/import: POST /batches (201, `loading`), PUT
// /batches/{batchId}/datasets/{datasetId}/files/{filePath} (raw bytes, any content type; 201
// created / 200 replaced), POST /batches/{batchId}?action=COMPLETE|ABORT|FAIL (200 with the
// batch). COMPLETE moves the batch to `processing`; the batch worker finishes it. COMPLETE on a
// batch already processing or done answers 200 again, so clients may retry it. Files of 256 MB and
// more take the large-file flow on the same path (large-file-routes.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import { messageError, sendError } from '../errors.js';
import { pipelineSettingsFor } from '../query/pipeline-settings.js';
import { batchProcessorFor } from './batch-processor.js';
import { newBatchId, type BatchRecord, type BatchStatus } from './batch-record.js';
import { importBatch } from './batch-view.js';
import { bodyBytes, fileParamsSchema, IMPORT_BASE, loadingBatchRefusal, notFound, SMALL_FILE_LIMIT_BYTES } from './file-upload.js';
import { registerLargeFileRoutes } from './large-file-routes.js';

export { IMPORT_BASE };

const createBatchSchema = z.looseObject({
  datasetId: z.string().min(1),
  inputFormat: z.looseObject({ format: z.string().min(1), isMultiLineJson: z.boolean().optional() }),
  externalId: z.string().optional(),
  tags: z.record(z.string(), z.array(z.string())).optional(),
});
const batchParamsSchema = z.object({ batchId: z.string().min(1) });
const actionSchema = z.object({ action: z.string().transform((a) => a.toUpperCase()) });

export function registerImportRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const processor = batchProcessorFor(ctx);
  const store = processor.store;
  const datasets = datasetStoreFor(ctx);

  app.post(`${IMPORT_BASE}/batches`, async (request, reply) => {
    const body = createBatchSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError(`Invalid batch: ${z.prettifyError(body.error)}`));
    if (body.data.inputFormat.format.toLowerCase() !== 'json') {
      return sendError(reply, 400, messageError(`inputFormat.format ${body.data.inputFormat.format} is not supported by the simulator; use json`));
    }
    if ((await datasets.getDataset(request.tenancy, body.data.datasetId)) === null) {
      return sendError(reply, 400, messageError(`Dataset ${body.data.datasetId} does not exist`));
    }
    const nowMs = ctx.now();
    const record: BatchRecord = {
      id: newBatchId(nowMs),
      orgId: request.tenancy.orgId,
      sandbox: request.tenancy.sandbox,
      datasetId: body.data.datasetId,
      status: 'loading',
      inputFormat: { format: 'json', ...(body.data.inputFormat.isMultiLineJson === undefined ? {} : { isMultiLineJson: body.data.inputFormat.isMultiLineJson }) },
      ...(body.data.externalId === undefined ? {} : { externalId: body.data.externalId }),
      tags: body.data.tags ?? {},
      createdClient: request.imsClientId,
      createdUser: `${request.imsClientId}@AdobeID`,
      createdMs: nowMs,
      updatedMs: nowMs,
      startedMs: null,
      completedMs: null,
      recordCount: null,
      failedRecordCount: null,
      inputFileCount: null,
      inputByteSize: null,
      errors: [],
    };
    await store.insert(record);
    return reply.code(201).send(importBatch(record));
  });

  void app.register(async (uploads) => {
    // File bodies are bytes whatever their declared type (octet-stream per the spec).
    uploads.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    uploads.put(`${IMPORT_BASE}/batches/:batchId/datasets/:datasetId/files/*`, { config: { nonJsonBody: true }, bodyLimit: SMALL_FILE_LIMIT_BYTES }, async (request, reply) => {
      const params = fileParamsSchema.parse(request.params);
      // batch-ingestion.yaml uploadSmallFile: the Content-Type header is required and its only
      // value is application/octet-stream; the operation documents 400 for a malformed request.
      const contentType = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
      if (contentType !== 'application/octet-stream') {
        return sendError(reply, 400, messageError(`Content-Type must be application/octet-stream for file uploads (got ${contentType === '' || contentType === undefined ? 'none' : contentType})`));
      }
      const batch = await store.get(request.tenancy, params.batchId);
      const refusal = loadingBatchRefusal(batch, params);
      if (refusal !== null) return refusal.status === 404 ? notFound(reply, `Batch ${params.batchId}`) : sendError(reply, 400, messageError(refusal.message));
      const replaced = await store.putFile(request.tenancy, params.batchId, params.datasetId, params['*'], bodyBytes(request.body), ctx.now());
      return reply.code(replaced ? 200 : 201).send();
    });
    registerLargeFileRoutes(uploads, ctx, store);
  });

  app.post(`${IMPORT_BASE}/batches/:batchId`, { config: { nonJsonBody: true } }, async (request, reply) => {
    const { batchId } = batchParamsSchema.parse(request.params);
    const query = actionSchema.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, messageError('The action query parameter is required (COMPLETE, ABORT or FAIL)'));
    const batch = await store.get(request.tenancy, batchId);
    if (batch === null) return notFound(reply, `Batch ${batchId}`);
    const result = await applyAction(ctx, request.tenancy, batch, query.data.action);
    if (typeof result === 'string') return sendError(reply, 400, messageError(result));
    return reply.code(200).send(importBatch(result));
  });
}

/** Applies a batch action; returns the batch as it now is, or a refusal message. */
async function applyAction(ctx: SimulatorContext, t: Tenancy, batch: BatchRecord, action: string): Promise<BatchRecord | string> {
  const store = batchProcessorFor(ctx).store;
  const nowMs = ctx.now();
  const move = async (from: BatchStatus[], status: BatchStatus, processAfterMs: number | null, extra: Partial<BatchRecord> = {}): Promise<BatchRecord | string> => {
    const next: BatchRecord = { ...batch, ...extra, status, updatedMs: nowMs };
    if (await store.transition(t, batch.id, from, next, processAfterMs)) return next;
    const current = await store.get(t, batch.id);
    return `Batch ${batch.id} is ${current?.status ?? 'gone'}; ${action} is not possible now`;
  };
  switch (action) {
    case 'COMPLETE':
      if (batch.status === 'processing' || batch.status === 'success') return batch;
      if (batch.status !== 'loading') return `Batch ${batch.id} is ${batch.status}; it cannot be completed`;
      return move(['loading'], 'processing', nowMs + pipelineSettingsFor(ctx).current().batchProcessingDelayMs, { startedMs: nowMs });
    case 'ABORT':
      return move(['loading', 'processing'], 'aborted', null, { completedMs: nowMs });
    case 'FAIL':
      return move(['loading', 'processing'], 'failed', null, { completedMs: nowMs, errors: [{ code: 'INGEST-1006-400', description: 'The client signalled FAIL' }] });
    default:
      return `Action ${action} is not supported by the simulator (COMPLETE, ABORT, FAIL)`;
  }
}

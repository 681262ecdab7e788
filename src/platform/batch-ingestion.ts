// Batch ingestion (`/data/foundation/import`, batch-ingestion.yaml): create a batch with our
// externalId, so a lost answer can be found again (`createBatch`); upload files, small ones with
// one PUT (`uploadSmallFile`), files of 256 MB and more with the large-file flow: INITIALIZE, PATCH
// parts with Content-Range (`uploadLargeFilePart`), COMPLETE (`completeLargeFileUpload`); then
// COMPLETE the batch (`completeBatch`, retry-safe at the Platform). The dataset it writes into and
// the batch's status are Catalog's (catalog.ts).
import type { Readable } from 'node:stream';
import type { CallOptions, Send } from './call-executor.js';
import { ImportBatchSchema } from './pipeline-types.js';
import { parseBody } from './responses.js';

const IMPORT = '/data/foundation/import';
const batches = { area: 'datasets' as const, subject: 'batch', permission: 'Manage Datasets' };
const OCTET_STREAM = 'application/octet-stream';
/** The large-file actions carry no body, but the spec requires `Content-Type: application/json` (completeLargeFileUpload). */
const ACTION_HEADERS = { 'content-type': 'application/json' };
/** Uploads may take far longer than an ordinary call; a stalled one still ends through the body timeout. */
const UPLOAD_DEADLINE_MS = 30 * 60_000;

const filePath = (batchId: string, datasetId: string, fileName: string) =>
  `${IMPORT}/batches/${encodeURIComponent(batchId)}/datasets/${encodeURIComponent(datasetId)}/files/${fileName.split('/').map(encodeURIComponent).join('/')}`;

export function ingestionMethods(send: Send) {
  return {
    /**
     * `POST /batches` (JSON). The externalId is how a lost answer is found again. Files are
     * single-line JSON (one object per line) unless `multiLineJson`: Adobe recommends single-line
     * JSON, which the Platform can split and process in parallel (batch ingestion developer guide).
     */
    async createBatch(input: { datasetId: string; externalId: string; multiLineJson?: boolean }, opts?: CallOptions): Promise<{ id: string }> {
      const meta = { ...batches, endpoint: 'batches.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
          method: 'POST',
          path: `${IMPORT}/batches`,
          safety: 'create',
          // batch-ingestion.yaml IngestBatch.inputFormat.format enum: JSON, Parquet, CSV.
          body: {
            datasetId: input.datasetId,
            inputFormat: { format: 'JSON', ...(input.multiLineJson === true ? { isMultiLineJson: true } : {}) },
            externalId: input.externalId,
          },
        },
        opts,
      );
      return { id: parseBody(ImportBatchSchema, response, meta).id };
    },

    /** Uploads one small file (under 256 MB) from bytes or a stream; a repeated upload of the same name replaces it. */
    async uploadSmallFile(batchId: string, datasetId: string, fileName: string, body: { open: () => Uint8Array | Readable; length: number }, opts?: CallOptions): Promise<void> {
      await send(
        {
          ...batches,
          endpoint: 'batches.upload',
          method: 'PUT',
          path: filePath(batchId, datasetId, fileName),
          rawBody: { contentType: OCTET_STREAM, open: body.open, length: body.length },
          callMs: UPLOAD_DEADLINE_MS,
        },
        opts,
      );
    },

    /** `POST …/files/{file}?action=INITIALIZE`: opens (or restarts) a large-file upload. */
    async initializeLargeFile(batchId: string, datasetId: string, fileName: string, opts?: CallOptions): Promise<void> {
      await send({ ...batches, endpoint: 'batches.large.initialize', method: 'POST', path: filePath(batchId, datasetId, fileName), query: [['action', 'INITIALIZE']], headers: ACTION_HEADERS }, opts);
    },

    /** `PATCH …/files/{file}` with `Content-Range: bytes first-last/total`: one part; resending a part replaces it. */
    async uploadLargeFilePart(batchId: string, datasetId: string, fileName: string, part: { start: number; bytes: Uint8Array; total: number }, opts?: CallOptions): Promise<void> {
      const last = part.start + part.bytes.length - 1;
      await send(
        {
          ...batches,
          endpoint: 'batches.large.part',
          method: 'PATCH',
          path: filePath(batchId, datasetId, fileName),
          rawBody: { contentType: OCTET_STREAM, open: () => part.bytes, length: part.bytes.length },
          headers: { 'content-range': `bytes ${part.start}-${last}/${part.total}` },
          callMs: UPLOAD_DEADLINE_MS,
        },
        opts,
      );
    },

    /** `POST …/files/{file}?action=COMPLETE`: the Platform stitches the parts (400 on gaps or overlaps). */
    async completeLargeFile(batchId: string, datasetId: string, fileName: string, opts?: CallOptions): Promise<void> {
      await send({ ...batches, endpoint: 'batches.large.complete', method: 'POST', path: filePath(batchId, datasetId, fileName), query: [['action', 'COMPLETE']], headers: ACTION_HEADERS }, opts);
    },

    /** Signals that every file is uploaded; retrying it is safe (reference 4.2). */
    async completeBatch(batchId: string, opts?: CallOptions): Promise<void> {
      await send({ ...batches, endpoint: 'batches.complete', method: 'POST', path: `${IMPORT}/batches/${encodeURIComponent(batchId)}`, query: [['action', 'COMPLETE']] }, opts);
    },
  };
}

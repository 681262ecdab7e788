// What the small-file and large-file upload routes of batch ingestion share: the file path's
// parameters, the body as bytes, and the rule that files go only into a loading batch of the
// dataset named in the path.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { messageError, sendError } from '../errors.js';
import type { BatchRecord } from './batch-record.js';

export const IMPORT_BASE = '/data/foundation/import';

/** Adobe's gateway takes small files up to 256 MB (batch-ingestion.yaml, uploadSmallFile). */
export const SMALL_FILE_LIMIT_BYTES = 256 * 1024 * 1024;

export const fileParamsSchema = z.object({ batchId: z.string().min(1), datasetId: z.string().min(1), '*': z.string().min(1) });

export function notFound(reply: FastifyReply, what: string): FastifyReply {
  return sendError(reply, 404, messageError(`${what} not found`));
}

/** Upload bodies arrive as a Buffer, or already parsed when sent with a JSON content type. */
export function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** Why files cannot be added to this batch now (null: they can). */
export function loadingBatchRefusal(batch: BatchRecord | null, params: { batchId: string; datasetId: string }): { status: 404 | 400; message: string } | null {
  if (batch === null) return { status: 404, message: `Batch ${params.batchId} not found` };
  if (batch.datasetId !== params.datasetId) return { status: 400, message: `Batch ${batch.id} was created for dataset ${batch.datasetId}, not ${params.datasetId}` };
  if (batch.status !== 'loading') return { status: 400, message: `Batch ${batch.id} is ${batch.status}; files can only be added while it is loading` };
  return null;
}

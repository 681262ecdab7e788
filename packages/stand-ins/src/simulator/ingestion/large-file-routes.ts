// The large-file flow of batch ingestion on the file path (batch-ingestion.yaml,
// completeLargeFileUpload / uploadLargeFilePart / getLargeFileStatus):
//   POST  .../files/{file}?action=INITIALIZE   opens (or restarts) the upload      -> 200
//   PATCH .../files/{file}  Content-Range: bytes <first>-<last>/<total|*>, bytes  -> 200 with Range
//   POST  .../files/{file}?action=COMPLETE     stitches the parts into the batch  -> 200 (400 on gaps or overlaps)
//   HEAD  .../files/{file}                     the ranges received so far in Range
// A PATCH part may hold up to 512,000,000 bytes (the spec's accepted range).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext, Tenancy } from '../context.js';
import { messageError, sendError } from '../errors.js';
import type { BatchStore } from './batch-store.js';
import { bodyBytes, fileParamsSchema, IMPORT_BASE, loadingBatchRefusal, notFound } from './file-upload.js';
import { LargeFileStore, stitchParts, type FileKey } from './large-file-store.js';

const PART_LIMIT_BYTES = 512_000_000;
const FILE_PATH = `${IMPORT_BASE}/batches/:batchId/datasets/:datasetId/files/*`;
const CONTENT_RANGE = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/;
const actionSchema = z.object({ action: z.string().transform((a) => a.toUpperCase()) });

export function registerLargeFileRoutes(app: FastifyInstance, ctx: SimulatorContext, batches: BatchStore): void {
  const uploads = new LargeFileStore(ctx.pool, ctx.schema);

  /** The file key of a request whose batch takes files now; null when an error was sent. */
  async function openKey(params: unknown, tenancy: Tenancy, reply: FastifyReply): Promise<FileKey | null> {
    const parsed = fileParamsSchema.parse(params);
    const refusal = loadingBatchRefusal(await batches.get(tenancy, parsed.batchId), parsed);
    if (refusal !== null) {
      if (refusal.status === 404) notFound(reply, `Batch ${parsed.batchId}`);
      else sendError(reply, 400, messageError(refusal.message));
      return null;
    }
    return { batchId: parsed.batchId, datasetId: parsed.datasetId, fileName: parsed['*'] };
  }

  app.post(FILE_PATH, { config: { nonJsonBody: true } }, async (request, reply) => {
    const query = actionSchema.safeParse(request.query);
    const action = query.success ? query.data.action : '';
    if (action !== 'INITIALIZE' && action !== 'COMPLETE') return sendError(reply, 400, messageError('The action query parameter must be INITIALIZE or COMPLETE'));
    const key = await openKey(request.params, request.tenancy, reply);
    if (key === null) return reply;
    if (action === 'INITIALIZE') {
      await uploads.initialize(request.tenancy, key, ctx.now());
      // The spec documents 200 with a File for both actions.
      return reply.code(200).send({ name: key.fileName, sizeInBytes: 0 });
    }
    if (!(await uploads.isOpen(request.tenancy, key))) return notFound(reply, `Large file ${key.fileName}`);
    const stitched = stitchParts(key.fileName, await uploads.parts(request.tenancy, key));
    if (!stitched.ok) return sendError(reply, 400, messageError(stitched.message));
    await batches.putFile(request.tenancy, key.batchId, key.datasetId, key.fileName, stitched.bytes, ctx.now());
    await uploads.close(request.tenancy, key);
    return reply.code(200).send({ name: key.fileName, sizeInBytes: stitched.bytes.length });
  });

  app.patch(FILE_PATH, { config: { nonJsonBody: true }, bodyLimit: PART_LIMIT_BYTES }, async (request, reply) => {
    const key = await openKey(request.params, request.tenancy, reply);
    if (key === null) return reply;
    if (!(await uploads.isOpen(request.tenancy, key))) return notFound(reply, `Large file ${key.fileName} (INITIALIZE it first)`);
    const header = request.headers['content-range'];
    const range = typeof header === 'string' ? CONTENT_RANGE.exec(header.trim()) : null;
    if (range === null) return sendError(reply, 400, messageError('Content-Range must be "bytes <first>-<last>/<total or *>"'));
    const first = Number(range[1]);
    const last = Number(range[2]);
    const bytes = bodyBytes(request.body);
    if (last < first || bytes.length !== last - first + 1) {
      return sendError(reply, 400, messageError(`Content-Range ${header as string} does not match the ${bytes.length} bytes sent`));
    }
    await uploads.putPart(request.tenancy, key, first, bytes);
    return reply.code(200).header('range', `bytes=${first}-${last}`).send({ name: key.fileName, sizeInBytes: bytes.length });
  });

  app.head(FILE_PATH, async (request, reply) => {
    const key = await openKey(request.params, request.tenancy, reply);
    if (key === null) return reply;
    if (!(await uploads.isOpen(request.tenancy, key))) return notFound(reply, `Large file ${key.fileName}`);
    const ranges = await uploads.receivedRanges(request.tenancy, key);
    return reply.code(200).header('range', `bytes=${ranges.map(([a, b]) => `${a}-${b}`).join(',')}`).send();
  });
}

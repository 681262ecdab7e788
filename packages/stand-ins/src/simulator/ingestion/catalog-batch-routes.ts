// Catalog's view of batches: GET /data/foundation/catalog/batches/{id} → {"<id>": batch} and
// GET /batches?dataSet=&status=&limit=&start= → the same map, newest first. Reads finish due
// batches first, so a poll never waits for the worker's next tick.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { CATALOG_BASE } from '../datasets/catalog-routes.js';
import { messageError, sendError } from '../errors.js';
import { batchProcessorFor } from './batch-processor.js';
import { catalogBatch } from './batch-view.js';

const listQuerySchema = z.object({
  dataSet: z.string().min(1).optional(),
  status: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  start: z.coerce.number().int().min(0).default(0),
});
const paramsSchema = z.object({ id: z.string().min(1) });

export function registerCatalogBatchRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const processor = batchProcessorFor(ctx);

  app.get(`${CATALOG_BASE}/batches`, async (request, reply) => {
    const query = listQuerySchema.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, messageError(z.prettifyError(query.error)));
    await processor.processDue();
    const batches = await processor.store.list(request.tenancy, {
      limit: query.data.limit,
      start: query.data.start,
      ...(query.data.dataSet === undefined ? {} : { datasetId: query.data.dataSet }),
      ...(query.data.status === undefined ? {} : { status: query.data.status }),
    });
    return Object.fromEntries(batches.map((b) => [b.id, catalogBatch(b)]));
  });

  app.get(`${CATALOG_BASE}/batches/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    await processor.processDue();
    const batch = await processor.store.get(request.tenancy, id);
    if (batch === null) return sendError(reply, 404, messageError(`Batch ${id} not found`));
    return { [batch.id]: catalogBatch(batch) };
  });
}

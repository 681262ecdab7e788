// POST /simulator/admin/datasets/{id}/rows {"count": N}: appends N new synthetic rows to a dataset
// so tests and demos can show incremental exports. Registered with the data routes, so it passes
// the gateway: the org and sandbox come from the usual headers.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { datasetStoreFor } from './dataset-store.js';

export const ADMIN_DATASET_ROWS_PATH = '/simulator/admin/datasets/:id/rows';

const bodySchema = z.object({ count: z.number().int().min(1).max(10_000).default(100) }).default({ count: 100 });
const paramsSchema = z.object({ id: z.string().min(1) });

export function registerAdminRowsRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  const store = datasetStoreFor(ctx);
  app.post(ADMIN_DATASET_ROWS_PATH, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    const body = bodySchema.safeParse(request.body ?? undefined);
    if (!body.success) return sendError(reply, 400, messageError(z.prettifyError(body.error)));
    const dataset = await store.getDataset(request.tenancy, id);
    if (dataset === null) return sendError(reply, 404, messageError(`Dataset ${id} not found`));
    if (dataset.kind === null) return sendError(reply, 400, messageError(`Dataset ${id} has no synthetic row generator`));
    const { rows, result } = await store.appendSyntheticRows(request.tenancy, dataset, body.data.count);
    return reply.code(201).send({ datasetId: id, appended: result.count, firstSeq: result.firstSeq, lastSeq: result.lastSeq, rows });
  });
}

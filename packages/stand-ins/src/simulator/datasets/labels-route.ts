// Dataset Service: GET /data/foundation/dataset/datasets/{id}/labels. 200 with the labels payload
// and an etag header, or the Policy Service style 404 when the dataset has no labels entity.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { labelsEtag, labelsNotFound, labelsPayload } from './catalog-view.js';
import { datasetStoreFor } from './dataset-store.js';

export const DATASET_SERVICE_BASE = '/data/foundation/dataset';

const paramsSchema = z.object({ id: z.string().min(1) });

export function registerLabelsRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  const store = datasetStoreFor(ctx);
  app.get(`${DATASET_SERVICE_BASE}/datasets/:id/labels`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    const dataset = await store.getDataset(request.tenancy, id);
    if (dataset === null || dataset.labels === null) {
      return reply.code(404).type('application/json').send(labelsNotFound(id, ctx.now()));
    }
    return reply.header('etag', labelsEtag(dataset)).send(labelsPayload(dataset.labels));
  });
}

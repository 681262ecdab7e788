// GET /data/foundation/flowservice/connectionSpecs/{Data Lake source}/configs?outputType=
// activationDatasets&outputField=datasets: the datasets eligible for export (reference 2.1). The
// Flow Service module owns connectionSpecs in general; only this exact path is registered here.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { flowError, sendError } from '../errors.js';
import { catalogDataSet } from './catalog-view.js';
import { datasetStoreFor } from './dataset-store.js';

export const DATA_LAKE_SOURCE_SPEC_ID = '23598e46-f560-407b-88d5-ea6207e49db0';
export const EXPORT_CONFIGS_PATH = `/data/foundation/flowservice/connectionSpecs/${DATA_LAKE_SOURCE_SPEC_ID}/configs`;

const querySchema = z.object({
  outputType: z.literal('activationDatasets'),
  outputField: z.literal('datasets'),
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function registerExportConfigsRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  const store = datasetStoreFor(ctx);
  app.get(EXPORT_CONFIGS_PATH, async (request, reply) => {
    const query = querySchema.safeParse(request.query);
    if (!query.success) {
      return sendError(reply, 400, flowError({ code: '1002', status: 400, message: `Invalid query: ${z.prettifyError(query.error)}`, requestId: request.id }));
    }
    const { start, limit } = query.data;
    const page = await store.listDatasets(request.tenancy, { start, limit });
    return {
      items: page.items.map((d) => ({ id: d.id, ...catalogDataSet(d), aspect: 'production' })),
      pageInfo: { start, end: start + page.items.length, total: page.total, hasNext: start + page.items.length < page.total },
    };
  });
}

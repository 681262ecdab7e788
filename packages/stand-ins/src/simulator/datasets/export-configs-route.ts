// GET /data/foundation/flowservice/connectionSpecs/{id}/configs?outputType=activationDatasets&
// outputField=datasets: the datasets eligible for export (reference 2.1). Adobe's tutorial uses the
// Data Lake source spec id; aepp's getExportableDatasetsDLZ (used by its own exportDatasetToDLZ
// before creating a flow) asks with the Data Landing Zone destination's spec id, and
// flow-service.yaml's configByConnectionSpecId takes any connection spec id in the path. So the
// list is answered for the Data Lake source and every destination connection spec the simulator
// knows; other ids get Flow Service's invalid-spec answer.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { flowError, messageError, sendError } from '../errors.js';
import { destinationByConnectionSpec } from '../flow-service/spec-ids.js';
import { catalogDataSet } from './catalog-view.js';
import { datasetStoreFor } from './dataset-store.js';

export const DATA_LAKE_SOURCE_SPEC_ID = '23598e46-f560-407b-88d5-ea6207e49db0';
const CONFIGS_ROUTE = '/data/foundation/flowservice/connectionSpecs/:specId/configs';

const querySchema = z.object({
  outputType: z.literal('activationDatasets'),
  outputField: z.literal('datasets'),
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function registerExportConfigsRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  const store = datasetStoreFor(ctx);
  app.get<{ Params: { specId: string } }>(CONFIGS_ROUTE, async (request, reply) => {
    const { specId } = request.params;
    if (specId !== DATA_LAKE_SOURCE_SPEC_ID && destinationByConnectionSpec(specId) === undefined) {
      return sendError(reply, 400, messageError('Please provide a valid spec id'));
    }
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

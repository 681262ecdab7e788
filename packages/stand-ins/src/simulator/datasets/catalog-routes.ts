// Catalog: GET /data/foundation/catalog/dataSets (a map id -> dataset, with limit/start/name/
// properties) and GET /dataSets/{id}.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { catalogDataSet, projectProperties } from './catalog-view.js';
import { datasetStoreFor } from './dataset-store.js';

export const CATALOG_BASE = '/data/foundation/catalog';

const CATALOG_DEFAULT_LIMIT = 50;
const CATALOG_MAX_LIMIT = 100;

const propertiesSchema = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined ? undefined : raw.split(',').map((p) => p.trim()).filter((p) => p !== '')));

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).optional(),
  start: z.coerce.number().int().min(0).default(0),
  name: z.string().min(1).optional(),
  properties: propertiesSchema,
});

const getQuerySchema = z.object({ properties: propertiesSchema });
const idParamsSchema = z.object({ id: z.string().min(1) });

export function registerCatalogRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const store = datasetStoreFor(ctx);

  app.get(`${CATALOG_BASE}/dataSets`, async (request, reply) => {
    const query = listQuerySchema.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, messageError(z.prettifyError(query.error)));
    const { start, name, properties } = query.data;
    const limit = Math.min(query.data.limit ?? CATALOG_DEFAULT_LIMIT, CATALOG_MAX_LIMIT);
    const page = await store.listDatasets(request.tenancy, { start, limit, ...(name === undefined ? {} : { name }) });
    return Object.fromEntries(page.items.map((d) => [d.id, projectProperties(catalogDataSet(d), properties)]));
  });

  app.get(`${CATALOG_BASE}/dataSets/:id`, async (request, reply) => {
    const { id } = idParamsSchema.parse(request.params);
    const query = getQuerySchema.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, messageError(z.prettifyError(query.error)));
    const dataset = await store.getDataset(request.tenancy, id);
    if (dataset === null) return sendError(reply, 404, messageError(`Dataset ${id} not found`));
    return { [dataset.id]: projectProperties(catalogDataSet(dataset), query.data.properties) };
  });

  // catalog.yaml `deleteDataset`: 200 with ["@/dataSets/{id}"].
  app.delete(`${CATALOG_BASE}/dataSets/:id`, async (request, reply) => {
    const { id } = idParamsSchema.parse(request.params);
    if (!(await store.deleteDataset(request.tenancy, id))) return sendError(reply, 404, messageError(`Dataset ${id} not found`));
    return [`@/dataSets/${id}`];
  });
}

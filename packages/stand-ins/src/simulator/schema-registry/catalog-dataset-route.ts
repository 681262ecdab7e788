// Catalog POST /data/foundation/catalog/dataSets: creates an (empty) dataset from a registry
// schema, e.g. the profile scores dataset, with the tags as sent (unifiedProfile/unifiedIdentity
// enable it for Profile) plus its Query Service table name. Answers 201 ["@/dataSets/<id>"].
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { CATALOG_BASE } from '../datasets/catalog-routes.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import { messageError, sendError } from '../errors.js';
import { PQS_TABLE_TAG, tableNameFor } from '../query/dataset-tables.js';
import { registryServiceFor } from './registry-service.js';
import { registryStoreFor } from './registry-store.js';

const createDatasetSchema = z.looseObject({
  name: z.string().trim().min(1),
  description: z.string().optional(),
  schemaRef: z.object({ id: z.string().min(1), contentType: z.string().min(1) }),
  tags: z.record(z.string(), z.array(z.string())).optional(),
});

export function registerCatalogDatasetRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  const datasets = datasetStoreFor(ctx);
  const registry = registryServiceFor(ctx);
  app.post(`${CATALOG_BASE}/dataSets`, async (request, reply) => {
    const body = createDatasetSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError(`Invalid dataset: ${z.prettifyError(body.error)}`));
    const schema = await registryStoreFor(ctx).getResource(request.tenancy, body.data.schemaRef.id, 'schemas');
    if (schema === null) return sendError(reply, 400, messageError(`Schema ${body.data.schemaRef.id} was not found in the Schema Registry of this sandbox`));
    const dataset = await datasets.createDataset(request.tenancy, {
      name: body.data.name,
      ...(body.data.description === undefined ? {} : { description: body.data.description }),
      fields: await registry.schemaFields(request.tenancy, schema),
      schemaRef: { id: schema.id, contentType: body.data.schemaRef.contentType },
      tags: { ...body.data.tags, [PQS_TABLE_TAG]: [tableNameFor(body.data.name)] },
    });
    return reply.code(201).header('location', `${CATALOG_BASE}/dataSets/${dataset.id}`).send([`@/dataSets/${dataset.id}`]);
  });
}

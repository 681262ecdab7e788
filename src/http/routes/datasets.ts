// /datasets: the caller's exportable datasets, read from its Platform sandbox, with usage labels.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DatasetCursorSchema, DatasetIdSchema, DatasetPageSchema, DatasetSchema } from '../../datasets/dataset-schemas.js';
import type { DatasetService } from '../../datasets/dataset-service.js';
import { LimitQuerySchema } from '../../pagination.js';
import { problemResponses } from './problem-schema.js';

const ListQuerySchema = z.object({ limit: LimitQuerySchema, cursor: DatasetCursorSchema.optional() }).strict();

export const datasetRoutes: FastifyPluginCallbackZod<{ datasets: DatasetService }> = (app, { datasets }, done) => {
  const tags = ['datasets'];

  app.get(
    '/datasets',
    {
      schema: {
        tags,
        summary: 'List exportable datasets',
        description: "The datasets the Platform reports as exportable in the tenant's sandbox, each with its usage labels and whether governance lets this tenant export it.",
        querystring: ListQuerySchema,
        response: { 200: DatasetPageSchema, ...problemResponses(400, 502, 503) },
      },
    },
    async (request) => datasets.list(request.auth.tenantId, { limit: request.query.limit, start: request.query.cursor ?? 0 }),
  );

  app.get(
    '/datasets/:id',
    {
      schema: {
        tags,
        summary: 'Get a dataset with its usage labels',
        params: z.object({ id: DatasetIdSchema }),
        response: { 200: DatasetSchema, ...problemResponses(400, 404, 502, 503) },
      },
    },
    async (request) => datasets.get(request.auth.tenantId, request.params.id),
  );
  done();
};

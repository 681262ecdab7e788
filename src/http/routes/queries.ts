// /queries/preview: try SQL against the tenant's sandbox before putting it in a pipeline.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { PreviewService } from '../../queries/preview-service.js';
import { PreviewRequestSchema, PreviewResponseSchema } from '../../queries/query-schemas.js';
import { problemResponses } from './problem-schema.js';

export const queryRoutes: FastifyPluginCallbackZod<{ previews: PreviewService }> = (app, { previews }, done) => {
  app.post(
    '/queries/preview',
    {
      schema: {
        tags: ['queries'],
        summary: 'Preview a query (at most 100 rows)',
        description:
          "Runs one SELECT through Query Service's PostgreSQL interface with the credentials its API hands out, bounded to 100 rows. " +
          'Only queries are accepted. SQL errors answer 422 `sql_error` with Query Service\'s SQLSTATE (`sqlState`) and the position in your SQL.',
        body: PreviewRequestSchema,
        response: { 200: PreviewResponseSchema, ...problemResponses(400, 422, 502, 503) },
      },
    },
    async (request) => previews.preview(request.auth.tenantId, request.body.sql),
  );
  done();
};

// OpenAPI 3.1 from the zod route schemas, served as JSON and with Swagger UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { requestBodyExamples } from '../api-examples.js';

type TransformObjectInput = Parameters<typeof jsonSchemaTransformObject>[0];
interface MediaType {
  examples?: unknown;
}
interface Operation {
  requestBody?: { content?: Record<string, MediaType> };
}

/** Puts the real request examples (src/http/api-examples.ts) on each route's JSON body. */
function withExamples(input: TransformObjectInput) {
  const document = jsonSchemaTransformObject(input) as { paths?: Record<string, Record<string, Operation>> };
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const examples = requestBodyExamples[`${method.toUpperCase()} ${path}`];
      const media = operation.requestBody?.content?.['application/json'];
      if (examples && media) media.examples = examples;
    }
  }
  return document;
}

export default fp(
  async function openapi(app: FastifyInstance, opts: { publicUrl: string }) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'AEP Data Distiller to ML jobs',
          version: '0.1.0',
          description:
            'Durable jobs that export Adobe Experience Platform datasets to cloud storage and run the Data Distiller to ML workflow. Errors are RFC 9457 problem+json.',
        },
        servers: [{ url: opts.publicUrl }],
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key: aepj_<prefix>_<secret>' } },
        },
        security: [{ apiKey: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: withExamples,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  },
  { name: 'openapi' },
);

// Builds the HTTP API (no listening here: server.ts runs it, tests inject into it).
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/client.js';
import authPlugin from './http/plugins/auth.js';
import problemDetails from './http/plugins/problem-details.js';
import swaggerPlugin from './http/plugins/swagger.js';
import { registerApiRoutes } from './http/routes/index.js';
import type { JobProducer } from './jobs/queue.js';

export interface AppDeps {
  config: ServiceConfig;
  db: Db;
  /** Producer connection (fails fast when Redis is down). */
  redis: Redis;
  producer: JobProducer;
  secrets: SecretBox;
  logger: Logger;
}

/** The API instance with the zod type provider, as route modules see it. */
export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export const bodyLimitBytes = 256 * 1024;

export async function buildApp(deps: AppDeps): Promise<App> {
  // Typed as Fastify's logger so the instance type stays the one route modules expect.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { allErrors: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  await app.register(problemDetails);
  await app.register(swaggerPlugin, { publicUrl: deps.config.http.publicUrl });
  await app.register(authPlugin, { db: deps.db });
  await registerApiRoutes(app, deps);
  return app;
}

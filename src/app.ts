// Builds the HTTP API (no listening here: server.ts runs it, tests inject into it).
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/client.js';
import authPlugin from './http/plugins/auth.js';
import type { App } from './http/app-type.js';
import idempotencyPlugin, { idempotencyKeyHeader } from './http/plugins/idempotency.js';
import jsonBody from './http/plugins/json-body.js';
import logContextPlugin from './http/plugins/log-context.js';
import metricsPlugin from './http/plugins/metrics.js';
import problemDetails, { clientErrorHandler, sendFrameworkError } from './http/plugins/problem-details.js';
import rateLimitPlugin from './http/plugins/rate-limit.js';
import swaggerPlugin from './http/plugins/swagger.js';
import { registerApiRoutes } from './http/routes/index.js';
import type { JobProducer } from './jobs/queue.js';
import { requestChildLogger } from './logger.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics.js';
import { createApiServices } from './services.js';

export interface AppDeps {
  config: ServiceConfig;
  db: Db;
  /** Producer connection (fails fast when Redis is down). */
  redis: Redis;
  producer: JobProducer;
  secrets: SecretBox;
  logger: Logger;
  /** The process's metrics; a private registry when absent (tests, the OpenAPI script). */
  metrics?: ServiceMetrics;
}

export type { App };

export const bodyLimitBytes = 256 * 1024;

export async function buildApp(deps: AppDeps): Promise<App> {
  // Typed as Fastify's logger so the instance type stays the one route modules expect.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // A request's reqId logger becomes a pino child only when it writes (src/logger.ts); the
    // server's logger is deps.logger, a pino logger.
    childLoggerFactory: (logger, bindings, options) => requestChildLogger(logger as Logger, bindings, options),
    bodyLimit: bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { allErrors: false } },
    // Router errors (bad percent-encoding, over-long path parameters) as problem+json too.
    frameworkErrors: sendFrameworkError,
    // Node's own parser and timeout errors (431, 414, 408, malformed HTTP) as problem+json too.
    clientErrorHandler: clientErrorHandler(deps.logger),
    // Slow or stalled clients cannot hold sockets (config.ts, docs/operations.md "HTTP timeouts").
    connectionTimeout: deps.config.http.connectionTimeoutMs,
    keepAliveTimeout: deps.config.http.keepAliveTimeoutMs,
    requestTimeout: deps.config.http.requestTimeoutMs,
    http: { headersTimeout: deps.config.http.headersTimeoutMs, connectionsCheckingInterval: deps.config.http.timeoutCheckIntervalMs },
  }).withTypeProvider<ZodTypeProvider>();
  const metrics = deps.metrics ?? createServiceMetrics();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Graceful shutdown: answers still in flight when close() starts end their keep-alive connection,
  // so the server stops once they are sent instead of waiting out the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (closing) void reply.header('connection', 'close');
  });

  // First, so every hook and handler of a request logs with its reqId.
  await app.register(logContextPlugin);
  await app.register(problemDetails);
  await app.register(jsonBody);
  await app.register(swaggerPlugin, { publicUrl: deps.config.http.publicUrl });
  await app.register(metricsPlugin, { metrics, ...(deps.config.metrics.token ? { token: deps.config.metrics.token } : {}) });
  // Rate limits before auth: a failed authentication spends the client IP's budget.
  await app.register(rateLimitPlugin, { ...deps.config.rateLimit, redis: deps.redis, keyPrefix: deps.config.redis.queuePrefix });
  await app.register(authPlugin, { db: deps.db });
  await app.register(idempotencyPlugin, { db: deps.db, secrets: deps.secrets, ttlSeconds: deps.config.idempotency.ttlSeconds });
  // The composition root builds the services once; the app closes them when it closes.
  const services = createApiServices({ ...deps, metrics, idempotencyHeader: idempotencyKeyHeader, forgetApiKeys: () => app.forgetApiKeys() });
  app.addHook('onClose', () => services.close());
  await registerApiRoutes(app, { ...deps, services, metrics, heartbeatMs: deps.config.events.heartbeatMs });
  return app;
}

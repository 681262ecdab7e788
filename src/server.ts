// The API process: builds the app with its adapters and listens. `tsx src/server.ts` runs it alone;
// src/local-service.ts runs it with the worker for local use (`npm start`).
import { pino, type Logger } from 'pino';
import { buildApp, type App } from './app.js';
import { loadConfig, type ServiceConfig } from './config.js';
import { loadSecretBox } from './crypto/secret-box.js';
import { createDb } from './db/client.js';
import { createProducer, producerConnection } from './jobs/queue.js';
import { loggerOptions } from './logger.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics.js';
import { isMain } from './runtime/is-main.js';
import { onShutdown } from './runtime/shutdown.js';

export interface RunningApi {
  app: App;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the API. Shutdown order (close): stop accepting connections and let in-flight requests
 * finish (event streams are ended), then the queue producer, Redis, and Postgres last.
 */
export async function startApi(config: ServiceConfig, logger: Logger, metrics: ServiceMetrics = createServiceMetrics()): Promise<RunningApi> {
  const db = createDb(config.database.url, config.database.poolSize);
  const redis = producerConnection(config.redis.url);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis (producer) unavailable; accepted exports wait for the sweeper'));
  // Give Redis a moment so the first accepted export enqueues directly; without it we still start.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const producer = createProducer(redis, config.redis.queuePrefix);
  const secrets = loadSecretBox(config.secrets);
  const app = await buildApp({ config, db, redis, producer, secrets, logger, metrics });
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  return {
    app,
    url,
    async close() {
      await app.close();
      await producer.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}

if (isMain(import.meta.url)) {
  const config = loadConfig();
  const logger = pino(loggerOptions({ level: config.log.level, pretty: config.log.pretty, name: 'api' }));
  const api = await startApi(config, logger, createServiceMetrics({ processMetrics: true }));
  onShutdown(logger, async () => {
    await api.close();
    logger.info('api stopped');
  });
}

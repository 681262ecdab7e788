// The worker process: runs export jobs from BullMQ and the sweeper that re-enqueues overdue
// exports. `tsx src/worker.ts` runs it alone; src/main.ts runs it next to the API. Shutdown order:
// stop sweeping, let active jobs finish (worker.close), then Redis, the Platform clients, Prisma.
import { pino, type Logger } from 'pino';
import { loadConfig, type ServiceConfig } from './config.js';
import { loadSecretBox, type SecretBox } from './crypto/secret-box.js';
import { createDb } from './db/client.js';
import { createCrashPoint } from './exports/worker/crash-points.js';
import { createExportWorker } from './exports/worker/export-worker.js';
import { startSweeper } from './exports/sweeper.js';
import { createProducer, producerConnection, workerConnection } from './jobs/queue.js';
import { loggerOptions } from './logger.js';
import { createPlatformRegistry } from './platform-registry.js';
import { isMain } from './runtime/is-main.js';
import { onShutdown } from './runtime/shutdown.js';

export interface RunningWorker {
  close(): Promise<void>;
}

export interface WorkerOverrides {
  /** The keyring to open sealed secrets with (tests share the API's); default from config. */
  secrets?: SecretBox;
}

export async function startWorker(config: ServiceConfig, logger: Logger, overrides: WorkerOverrides = {}): Promise<RunningWorker> {
  const db = createDb(config.database.url, config.database.poolSize);
  const secrets = overrides.secrets ?? loadSecretBox(config.secrets);
  const registry = createPlatformRegistry({
    secrets,
    simulatorUrl: config.simulator.url,
    logger: logger.child({ component: 'platform' }),
    timeouts: { callMs: config.platform.timeoutMs },
  });

  const connection = workerConnection(config.redis.url);
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis (worker) unavailable; waiting for it'));
  // The sweeper's producer fails fast: a sweep during a Redis outage simply tries again later.
  const sweeperRedis = producerConnection(config.redis.url);
  sweeperRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis (sweeper) unavailable'));
  const producer = createProducer(sweeperRedis, config.redis.queuePrefix);

  const worker = createExportWorker(
    {
      db,
      secrets,
      settings: config.worker,
      crash: createCrashPoint(config.worker.crashAt),
      now: Date.now,
      random: Math.random,
      platformFor: (tenant) => registry.platformFor(tenant),
      log: logger,
    },
    {
      connection,
      prefix: config.redis.queuePrefix,
      concurrency: config.worker.concurrency,
      lockDurationMs: config.worker.lockDurationMs,
      stalledIntervalMs: config.worker.stalledIntervalMs,
    },
  );
  const sweeper = startSweeper(db, producer, { intervalMs: config.worker.sweeperIntervalMs, graceMs: config.worker.sweeperGraceMs }, logger.child({ component: 'sweeper' }));
  await worker.waitUntilReady();
  logger.info({ concurrency: config.worker.concurrency, ...(config.worker.crashAt ? { crashAt: config.worker.crashAt } : {}) }, 'export worker ready');

  return {
    async close() {
      await sweeper.stop();
      await worker.close();
      await producer.close();
      sweeperRedis.disconnect();
      await connection.quit().catch(() => connection.disconnect());
      await registry.close();
      await db.$disconnect();
    },
  };
}

if (isMain(import.meta.url)) {
  const config = loadConfig();
  const logger = pino(loggerOptions({ level: config.log.level, pretty: config.log.pretty, name: 'worker' }));
  const worker = await startWorker(config, logger);
  onShutdown(logger, () => worker.close());
}

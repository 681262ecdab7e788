// The worker process: runs export and pipeline jobs from BullMQ, pipeline schedules' instants, the
// sweepers that re-enqueue overdue exports and pipelines, and the notification dispatcher (signed callbackUrl deliveries). `tsx src/worker.ts` runs it alone; src/local-service.ts runs it next to the API. Shutdown order:
// stop sweeping, let active jobs finish (worker.close), then Redis, the Platform clients, Prisma.
import { pino, type Logger } from 'pino';
import { loadConfig, type ServiceConfig } from './config.js';
import { loadSecretBox, type SecretBox } from './crypto/secret-box.js';
import { createDb } from './db/client.js';
import { createCrashPoint } from './jobs/crash-points.js';
import { createExportWorker } from './exports/worker/export-worker.js';
import { startSweeper } from './exports/sweeper.js';
import { createProducer, producerConnection, workerConnection } from './jobs/queue.js';
import { loggerOptions } from './logger.js';
import { startMetricsServer, type RunningMetricsServer } from './metrics/metrics-server.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics.js';
import { startNotificationDispatcher } from './notifications/dispatcher.js';
import { createPipelineWorker } from './pipelines/worker/pipeline-worker.js';
import { startPipelineSweeper } from './pipelines/worker/pipeline-sweeper.js';
import { startScheduleWorker } from './pipelines/schedules/schedule-worker.js';
import { isMain } from './runtime/is-main.js';
import { onShutdown } from './runtime/shutdown.js';
import { createWorkerAdapters } from './services.js';
import type { StoreFactory } from './storage/store-factory.js';

export interface RunningWorker {
  /** Job durations and Platform calls of this worker. */
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

export interface WorkerOverrides {
  /** The keyring to open sealed secrets with (tests share the API's); default from config. */
  secrets?: SecretBox;
  /** A registry to record into (`npm start` shares the API's); default a fresh one. */
  metrics?: ServiceMetrics;
  /** How steps open destinations' storage; default from config. */
  stores?: StoreFactory;
}

export async function startWorker(config: ServiceConfig, logger: Logger, overrides: WorkerOverrides = {}): Promise<RunningWorker> {
  const db = createDb(config.database.url, config.database.poolSize);
  const secrets = overrides.secrets ?? loadSecretBox(config.secrets);
  const metrics = overrides.metrics ?? createServiceMetrics();
  // The composition root's adapters: one Platform registry for exports and pipelines alike.
  const adapters = createWorkerAdapters({ config, db, secrets, logger, metrics, ...(overrides.stores ? { stores: overrides.stores } : {}) });
  const { platforms, stores, mlPlatforms } = adapters;

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
      stores,
      settings: config.worker,
      crash: createCrashPoint(config.worker.crashAt),
      now: Date.now,
      random: Math.random,
      platformFor: (tenant) => platforms.platformFor(tenant),
      runFinished: (state, trigger) => metrics.exportRuns.inc({ state, trigger }),
      log: logger,
    },
    {
      connection,
      prefix: config.redis.queuePrefix,
      concurrency: config.worker.concurrency,
      lockDurationMs: config.worker.lockDurationMs,
      stalledIntervalMs: config.worker.stalledIntervalMs,
      metrics,
    },
  );
  const sweeper = startSweeper(db, producer, { intervalMs: config.worker.sweeperIntervalMs, graceMs: config.worker.sweeperGraceMs }, logger.child({ component: 'sweeper' }));

  // Pipelines: their own queue and connection, processed in this same process.
  const pipelineConnection = workerConnection(config.redis.url);
  pipelineConnection.on('error', (err) => logger.warn({ err: err.message }, 'redis (pipeline worker) unavailable; waiting for it'));
  const pipelineWorker = createPipelineWorker(
    {
      db,
      secrets,
      settings: { worker: config.worker, pipelines: config.pipelines, mlPlatform: config.mlPlatform, publicUrl: config.http.publicUrl },
      crash: createCrashPoint(config.worker.crashAt),
      now: Date.now,
      random: Math.random,
      producer,
      platformFor: (pipeline) => platforms.platformFor(pipeline.tenant),
      mlFor: (pipeline) => mlPlatforms.mlFor(pipeline),
      stores,
      log: logger,
    },
    {
      connection: pipelineConnection,
      prefix: config.redis.queuePrefix,
      concurrency: config.worker.concurrency,
      lockDurationMs: config.worker.lockDurationMs,
      stalledIntervalMs: config.worker.stalledIntervalMs,
      metrics,
    },
  );
  const pipelineSweeper = startPipelineSweeper(db, producer, { intervalMs: config.worker.sweeperIntervalMs, graceMs: config.worker.sweeperGraceMs }, logger.child({ component: 'pipeline-sweeper' }));
  // Pipeline schedules: their scheduler jobs, and the reconciliation of schedulers with the rows.
  const scheduleConnection = workerConnection(config.redis.url);
  scheduleConnection.on('error', (err) => logger.warn({ err: err.message }, 'redis (schedule worker) unavailable; waiting for it'));
  const scheduleWorker = await startScheduleWorker(
    { db, producer, hourMs: config.schedules.hourMs, reconcileIntervalMs: config.schedules.reconcileIntervalMs, log: logger },
    {
      connection: scheduleConnection,
      prefix: config.redis.queuePrefix,
      concurrency: 2,
      lockDurationMs: config.worker.lockDurationMs,
      stalledIntervalMs: config.worker.stalledIntervalMs,
      metrics,
    },
  );
  const notifications = startNotificationDispatcher(db, secrets, { ...config.notifications, allowPrivate: config.callbacks.allowPrivate }, logger.child({ component: 'notifications' }));
  await pipelineWorker.waitUntilReady();
  logger.info({ concurrency: config.worker.concurrency }, 'pipeline worker ready');
  await worker.waitUntilReady();
  logger.info({ concurrency: config.worker.concurrency, ...(config.worker.crashAt ? { crashAt: config.worker.crashAt } : {}) }, 'export worker ready');

  return {
    metrics,
    async close() {
      await sweeper.stop();
      await pipelineSweeper.stop();
      await notifications.stop();
      await scheduleWorker.close();
      await worker.close();
      await pipelineWorker.close();
      await producer.close();
      sweeperRedis.disconnect();
      await connection.quit().catch(() => connection.disconnect());
      await pipelineConnection.quit().catch(() => pipelineConnection.disconnect());
      await scheduleConnection.quit().catch(() => scheduleConnection.disconnect());
      await adapters.close();
      await db.$disconnect();
    },
  };
}

/** /metrics and /healthz on WORKER_METRICS_PORT; a port already taken (a second worker on one host) only costs the metrics. */
async function serveWorkerMetrics(config: ServiceConfig, metrics: ServiceMetrics, logger: Logger): Promise<RunningMetricsServer | undefined> {
  if (config.metrics.workerPort === 0) return undefined;
  try {
    const server = await startMetricsServer({
      host: config.http.host,
      port: config.metrics.workerPort,
      metrics,
      logger,
      ...(config.metrics.token ? { token: config.metrics.token } : {}),
    });
    logger.info({ url: `${server.url}/metrics` }, 'worker metrics listening');
    return server;
  } catch (error) {
    logger.error({ err: error, port: config.metrics.workerPort }, 'worker metrics port unavailable; this worker serves no metrics (give each worker on a host its own WORKER_METRICS_PORT)');
    return undefined;
  }
}

if (isMain(import.meta.url)) {
  const config = loadConfig();
  const logger = pino(loggerOptions({ level: config.log.level, pretty: config.log.pretty, name: 'worker' }));
  const metrics = createServiceMetrics({ processMetrics: true });
  const worker = await startWorker(config, logger, { metrics });
  const metricsServer = await serveWorkerMetrics(config, metrics, logger);
  onShutdown(logger, async () => {
    // Scrapes keep working while active jobs finish.
    await worker.close();
    await metricsServer?.close();
    logger.info('worker stopped');
  });
}

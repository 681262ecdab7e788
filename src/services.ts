// The composition root: the adapters (Platform registry, destination storage, ML platforms, the
// export change feed) and the services, built from configuration once per process, for the API
// (src/app.ts hands them to the routes) and the worker (src/worker.ts). Dependencies point one
// way, http -> services -> stores and adapters; only this file wires them together.
import type { Logger } from 'pino';
import { createTenantAdminService } from './admin/tenant-admin-service.js';
import type { ServiceConfig } from './config.js';
import type { SecretBox } from './crypto/secret-box.js';
import { createDatasetFactsCache } from './datasets/dataset-facts.js';
import { createDatasetService } from './datasets/dataset-service.js';
import type { Db } from './db/client.js';
import { createDestinationAccessService } from './destinations/destination-access.js';
import { createDestinationService } from './destinations/destination-service.js';
import { createExportChangeFeed } from './exports/export-change-feed.js';
import { createExportService } from './exports/export-service.js';
import { createLandedFilesService } from './exports/landed-files-service.js';
import type { JobProducer } from './jobs/queue.js';
import { platformMetricHooks } from './metrics/platform-metrics.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import { createMlCallbackService } from './pipelines/ml-callback-service.js';
import { createMlPlatforms, type MlPlatforms } from './pipelines/ml-platforms.js';
import { createPipelineService } from './pipelines/pipeline-service.js';
import { createScheduleService } from './pipelines/schedules/schedule-service.js';
import { createTemplateService } from './pipelines/template-service.js';
import { createPlatformRegistry, type PlatformRegistry } from './platform-registry.js';
import { createPreviewService } from './queries/preview-service.js';
import { createIdempotentAnswers } from './security/idempotent-answers.js';
import type { StoreFactory } from './storage/store-factory.js';
import { createTenantStoreFactory } from './storage/tenant-stores.js';
import { createTenantCache } from './tenants/tenant-cache.js';

export interface ProcessDeps {
  config: ServiceConfig;
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * The process's one Platform registry. The API keeps calls short (a caller is waiting: one retry
 * of a hiccup, never a long Retry-After); the worker takes the default policy.
 */
export function createPlatforms(deps: ProcessDeps, role: 'api' | 'worker'): PlatformRegistry {
  const timeoutMs = deps.config.platform.timeoutMs;
  return createPlatformRegistry({
    secrets: deps.secrets,
    simulatorUrl: deps.config.simulator.url,
    ...platformMetricHooks(deps.metrics),
    ...(role === 'api'
      ? { logger: deps.logger, timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs, callMs: timeoutMs }, retry: { maxAttempts: 2, maxRetryAfterMs: 2000 } }
      : { logger: deps.logger.child({ component: 'platform' }), timeouts: { callMs: timeoutMs } }),
  });
}

function createStores(deps: ProcessDeps, platforms: PlatformRegistry): StoreFactory {
  return createTenantStoreFactory({ db: deps.db, secrets: deps.secrets, endpoints: deps.config.storage, platformFor: (tenant) => platforms.platformFor(tenant) });
}

export type ApiServices = ReturnType<typeof createApiServices>;

export interface ApiServiceDeps extends ProcessDeps {
  producer: JobProducer;
  /** The request header carrying idempotency keys (the HTTP layer names it). */
  idempotencyHeader: string;
  /** Drops the API's cached key lookups after an admin change. */
  forgetApiKeys: () => void;
}

export function createApiServices(deps: ApiServiceDeps) {
  const { config, db, secrets, logger, producer } = deps;
  const publicUrl = config.http.publicUrl.replace(/\/$/, '');
  const platforms = createPlatforms(deps, 'api');
  const datasets = createDatasetService({
    db,
    platforms,
    facts: createDatasetFactsCache({ ttlMs: config.accept.datasetFactsTtlMs }),
    factsDeadlineMs: config.platform.timeoutMs,
  });
  const stores = createStores(deps, platforms);
  const answers = createIdempotentAnswers({ db, secrets, ttlSeconds: config.idempotency.ttlSeconds, headerName: deps.idempotencyHeader });
  const tenants = createTenantCache(db);
  const pipelines = createPipelineService({ db, producer, secrets, datasets, config, logger, answers });
  const changes = createExportChangeFeed({ databaseUrl: config.database.url, logger });
  return {
    publicUrl,
    datasets,
    previews: createPreviewService({ db, platforms, datasets, sslMode: config.queryPreview.sslMode, timeoutMs: config.queryPreview.timeoutMs }),
    destinations: createDestinationService({ db, secrets, platforms, tenants }),
    access: createDestinationAccessService({ db, stores, ttlSeconds: config.storage.signedUrlTtlSeconds }),
    exports: createExportService({ db, producer, datasets, platforms, config, logger, answers, tenants }),
    landedFiles: createLandedFilesService({ db, stores, signedUrlTtlSeconds: config.storage.signedUrlTtlSeconds, publicUrl }),
    changes,
    admin: createTenantAdminService({ db, secrets, forgetApiKeys: deps.forgetApiKeys, forgetTenant: (id) => tenants.forget(id) }),
    pipelines,
    templates: createTemplateService({ db, pipelines }),
    schedules: createScheduleService({ db, producer, config, logger }),
    callbacks: createMlCallbackService({
      db,
      secrets,
      producer,
      databricks: {
        ...(config.mlPlatform.webhookBasicAuth ? { basic: config.mlPlatform.webhookBasicAuth } : {}),
        ...(config.mlPlatform.webhookBearerToken ? { bearerToken: config.mlPlatform.webhookBearerToken } : {}),
      },
      logger,
    }),
    async close(): Promise<void> {
      await changes.close();
      await platforms.close();
    },
  };
}

export interface WorkerAdapters {
  platforms: PlatformRegistry;
  stores: StoreFactory;
  mlPlatforms: MlPlatforms;
  close(): Promise<void>;
}

/** What the worker's jobs call out to; `stores` may be given (tests, `npm start`). */
export function createWorkerAdapters(deps: ProcessDeps & { stores?: StoreFactory }): WorkerAdapters {
  const platforms = createPlatforms(deps, 'worker');
  const mlPlatforms = createMlPlatforms({
    secrets: deps.secrets,
    mlPlatform: deps.config.mlPlatform,
    allowPrivateUrls: deps.config.callbacks.allowPrivate,
    timeoutMs: deps.config.platform.timeoutMs,
  });
  return {
    platforms,
    stores: deps.stores ?? createStores(deps, platforms),
    mlPlatforms,
    async close() {
      await platforms.close();
      await mlPlatforms.close();
    },
  };
}

// Every route plugin of the API, registered in one place, with the services they call.
import type { App, AppDeps } from '../../app.js';
import { dashboardRoutes } from '../../dashboard/dashboard-routes.js';
import { createTenantAdminService } from '../../admin/tenant-admin-service.js';
import { createDatasetFactsCache } from '../../datasets/dataset-facts.js';
import { createDatasetService } from '../../datasets/dataset-service.js';
import { createDestinationAccessService } from '../../destinations/destination-access.js';
import { createDestinationService } from '../../destinations/destination-service.js';
import { createExportChangeFeed } from '../../exports/export-change-feed.js';
import { createExportService } from '../../exports/export-service.js';
import { createLandedFilesService } from '../../exports/landed-files-service.js';
import { createTenantStoreFactory } from '../../storage/tenant-stores.js';
import { queueNames } from '../../jobs/catalog.js';
import { platformMetricHooks } from '../../metrics/platform-metrics.js';
import { bullQueueDepths } from '../../metrics/queue-depths.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';
import { createPipelineService } from '../../pipelines/pipeline-service.js';
import { createScheduleService } from '../../pipelines/schedules/schedule-service.js';
import { createTemplateService } from '../../pipelines/template-service.js';
import { createPlatformRegistry } from '../../platform-registry.js';
import { createTenantCache } from '../../tenants/tenant-cache.js';
import { createMlCallbackService } from '../../webhooks/ml-callback-service.js';
import { createIdempotentAnswers } from '../../security/idempotent-answers.js';
import { idempotencyKeyHeader } from '../plugins/idempotency.js';
import queueDashboard from '../plugins/queue-dashboard.js';
import { adminRoutes } from './admin.js';
import { datasetRoutes } from './datasets.js';
import { destinationRoutes } from './destinations.js';
import { exportEventRoutes } from './events.js';
import { exportRoutes } from './exports.js';
import { healthRoutes } from './health.js';
import { pipelineScheduleRoutes } from './pipeline-schedules.js';
import { pipelineRoutes } from './pipelines.js';
import { queryRoutes } from './queries.js';
import { createPreviewService } from '../../queries/preview-service.js';
import { webhookRoutes } from './webhooks.js';

export async function registerApiRoutes(app: App, deps: AppDeps & { metrics: ServiceMetrics }): Promise<void> {
  const { config, db, secrets, logger, metrics } = deps;
  const publicUrl = config.http.publicUrl.replace(/\/$/, '');
  const timeoutMs = config.platform.timeoutMs;
  const platforms = createPlatformRegistry({
    secrets,
    simulatorUrl: config.simulator.url,
    logger,
    timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs, callMs: timeoutMs },
    // A caller is waiting: retry a hiccup once, never sit out a long Retry-After.
    retry: { maxAttempts: 2, maxRetryAfterMs: 2000 },
    ...platformMetricHooks(metrics),
  });
  app.addHook('onClose', () => platforms.close());

  const datasets = createDatasetService({
    db,
    platforms,
    facts: createDatasetFactsCache({ ttlMs: config.accept.datasetFactsTtlMs }),
    factsDeadlineMs: timeoutMs,
  });
  const stores = createTenantStoreFactory({ db, secrets, endpoints: config.storage, platformFor: (tenant) => platforms.platformFor(tenant) });
  const answers = createIdempotentAnswers({ db, secrets, ttlSeconds: config.idempotency.ttlSeconds, headerName: idempotencyKeyHeader });
  const tenants = createTenantCache(db);
  const destinations = createDestinationService({ db, secrets, platforms, tenants });
  const exports = createExportService({ db, producer: deps.producer, datasets, platforms, config, logger, answers, tenants });
  const landedFiles = createLandedFilesService({ db, stores, signedUrlTtlSeconds: config.storage.signedUrlTtlSeconds, publicUrl });
  const admin = createTenantAdminService({ db, secrets, forgetApiKeys: () => app.forgetApiKeys(), forgetTenant: (id) => tenants.forget(id) });

  await app.register(healthRoutes, { db: deps.db, redis: deps.redis });
  await app.register(adminRoutes, { admin });
  const access = createDestinationAccessService({ db, stores, ttlSeconds: config.storage.signedUrlTtlSeconds });
  await app.register(destinationRoutes, { destinations, access, publicUrl });
  await app.register(datasetRoutes, { datasets });
  const previews = createPreviewService({ db, platforms, datasets, sslMode: config.queryPreview.sslMode, timeoutMs: config.queryPreview.timeoutMs });
  await app.register(queryRoutes, { previews });
  await app.register(exportRoutes, { exports, landedFiles, publicUrl });
  const changes = createExportChangeFeed({ databaseUrl: config.database.url, logger });
  app.addHook('onClose', () => changes.close());
  await app.register(exportEventRoutes, { exports, changes, heartbeatMs: config.events.heartbeatMs });

  // Pipelines, their templates, ML platform callbacks and the notification signing secret.
  const pipelines = createPipelineService({ db, producer: deps.producer, secrets, datasets, config, logger, answers });
  const templates = createTemplateService({ db, pipelines });
  const callbacks = createMlCallbackService({
    db,
    secrets,
    producer: deps.producer,
    databricks: {
      ...(config.mlPlatform.webhookBasicAuth ? { basic: config.mlPlatform.webhookBasicAuth } : {}),
      ...(config.mlPlatform.webhookBearerToken ? { bearerToken: config.mlPlatform.webhookBearerToken } : {}),
    },
    logger,
  });
  await app.register(pipelineRoutes, { pipelines, templates, publicUrl });
  const schedules = createScheduleService({ db, producer: deps.producer, config, logger });
  await app.register(pipelineScheduleRoutes, { schedules, publicUrl });
  await app.register(webhookRoutes, { callbacks, db, secrets });

  // Operations: queue depths on /metrics, the queue dashboard for admins, the web dashboard.
  const queues = () => [deps.producer.queue(queueNames.exports), deps.producer.queue(queueNames.pipelines)];
  metrics.watchQueueDepths(bullQueueDepths(queues));
  await app.register(queueDashboard, { db, queues });
  await app.register(dashboardRoutes);
}

// Every route plugin of the API, registered in one place, with the services they call.
import type { App, AppDeps } from '../../app.js';
import { createTenantAdminService } from '../../admin/tenant-admin-service.js';
import { createDatasetFactsCache } from '../../datasets/dataset-facts.js';
import { createDatasetService } from '../../datasets/dataset-service.js';
import { createDestinationService } from '../../destinations/destination-service.js';
import { createExportService } from '../../exports/export-service.js';
import { createPlatformRegistry } from '../../platform-registry.js';
import { adminRoutes } from './admin.js';
import { datasetRoutes } from './datasets.js';
import { destinationRoutes } from './destinations.js';
import { exportRoutes } from './exports.js';
import { healthRoutes } from './health.js';

export async function registerApiRoutes(app: App, deps: AppDeps): Promise<void> {
  const { config, db, secrets, logger } = deps;
  const publicUrl = config.http.publicUrl.replace(/\/$/, '');
  const timeoutMs = config.platform.timeoutMs;
  const platforms = createPlatformRegistry({
    secrets,
    simulatorUrl: config.simulator.url,
    logger,
    timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs, callMs: timeoutMs },
    // A caller is waiting: retry a hiccup once, never sit out a long Retry-After.
    retry: { maxAttempts: 2, maxRetryAfterMs: 2000 },
  });
  app.addHook('onClose', () => platforms.close());

  const datasets = createDatasetService({ db, platforms, facts: createDatasetFactsCache() });
  const destinations = createDestinationService({ db, secrets });
  const exports = createExportService({ db, producer: deps.producer, datasets, platforms, config, logger });
  const admin = createTenantAdminService({ db, secrets, forgetApiKeys: () => app.forgetApiKeys() });

  await app.register(healthRoutes, { db: deps.db, redis: deps.redis });
  await app.register(adminRoutes, { admin });
  await app.register(destinationRoutes, { destinations, publicUrl });
  await app.register(datasetRoutes, { datasets });
  await app.register(exportRoutes, { exports, publicUrl });
}

// Every route plugin of the API, registered in one place, with the services they call (built by
// the composition root, src/services.ts).
import type { Redis } from 'ioredis';
import type { SecretBox } from '../../crypto/secret-box.js';
import { dashboardRoutes } from '../../dashboard/dashboard-routes.js';
import type { Db } from '../../db/client.js';
import { queueNames } from '../../jobs/catalog.js';
import type { JobProducer } from '../../jobs/queue.js';
import { bullQueueDepths } from '../../metrics/queue-depths.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';
import type { ApiServices } from '../../services.js';
import type { App } from '../app-type.js';
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
import { webhookRoutes } from './webhooks.js';

export interface RouteDeps {
  services: ApiServices;
  db: Db;
  redis: Redis;
  producer: JobProducer;
  secrets: SecretBox;
  metrics: ServiceMetrics;
  heartbeatMs: number;
}

export async function registerApiRoutes(app: App, deps: RouteDeps): Promise<void> {
  const { services: s, db, metrics } = deps;
  const { publicUrl } = s;

  await app.register(healthRoutes, { db, redis: deps.redis });
  await app.register(adminRoutes, { admin: s.admin });
  await app.register(destinationRoutes, { destinations: s.destinations, access: s.access, publicUrl });
  await app.register(datasetRoutes, { datasets: s.datasets });
  await app.register(queryRoutes, { previews: s.previews });
  await app.register(exportRoutes, { exports: s.exports, landedFiles: s.landedFiles, publicUrl });
  await app.register(exportEventRoutes, { exports: s.exports, changes: s.changes, heartbeatMs: deps.heartbeatMs });

  // Pipelines, their templates and schedules, ML platform callbacks.
  await app.register(pipelineRoutes, { pipelines: s.pipelines, templates: s.templates, publicUrl });
  await app.register(pipelineScheduleRoutes, { schedules: s.schedules, publicUrl });
  await app.register(webhookRoutes, { callbacks: s.callbacks, db, secrets: deps.secrets });

  // Operations: queue depths on /metrics, the queue dashboard for admins, the web dashboard.
  const queues = () => [deps.producer.queue(queueNames.exports), deps.producer.queue(queueNames.pipelines)];
  metrics.watchQueueDepths(bullQueueDepths(queues));
  await app.register(queueDashboard, { db, queues });
  await app.register(dashboardRoutes);
}

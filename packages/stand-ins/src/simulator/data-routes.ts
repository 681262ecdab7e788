// The simulator's data side: Catalog datasets, Dataset Service labels, the Data Lake source's
// export configs, the ad hoc dataset run, Flow Service runs and the run engine writing landing
// files. Called by app.ts; the three exports keep the signatures app.ts relies on.
import type { FastifyInstance } from 'fastify';
import { registerAdhocRoute } from './adhoc/adhoc-route.js';
import type { SimulatorContext } from './context.js';
import { registerAdminRowsRoute } from './datasets/admin-rows-route.js';
import { registerCatalogRoutes } from './datasets/catalog-routes.js';
import { datasetDdl } from './datasets/dataset-ddl.js';
import { registerExportConfigsRoute } from './datasets/export-configs-route.js';
import { registerLabelsRoute } from './datasets/labels-route.js';
import { runDdl } from './runs/run-ddl.js';
import { registerRunRoutes } from './runs/run-routes.js';
import { registerDlzRoutes } from './storage/dlz-routes.js';
import { startRunTicker as startTicker } from './runs/run-ticker.js';

/** SQL statements creating this module's tables in ctx.schema (idempotent; after the core DDL). */
export function dataDdl(schema: string): string[] {
  return [...datasetDdl(schema), ...runDdl(schema)];
}

/** Registers the data routes (catalog, labels, configs, adhocrun, runs, admin rows) under the gateway. */
export function registerDataRoutes(app: FastifyInstance, ctx: SimulatorContext): Promise<void> {
  registerCatalogRoutes(app, ctx);
  registerLabelsRoute(app, ctx);
  registerExportConfigsRoute(app, ctx);
  registerAdhocRoute(app, ctx);
  registerRunRoutes(app, ctx);
  registerAdminRowsRoute(app, ctx);
  registerDlzRoutes(app, ctx);
  return Promise.resolve();
}

/** Starts the background ticker that completes due runs; returns a stop function. */
export function startRunTicker(ctx: SimulatorContext): () => Promise<void> {
  return startTicker(ctx);
}

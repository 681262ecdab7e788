// The simulator's pipeline side: Query Service, batch ingestion (and Catalog batches), the
// Schema Registry subset with Catalog dataset creation, segmentation; the audience variant of the
// ad hoc activation is dispatched from adhoc/adhoc-route.ts. Called by app.ts, like data-routes.ts
// for the export side.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from './context.js';
import { batchDdl } from './ingestion/batch-ddl.js';
import { batchProcessorFor } from './ingestion/batch-processor.js';
import { registerCatalogBatchRoutes } from './ingestion/catalog-batch-routes.js';
import { registerImportRoutes } from './ingestion/import-routes.js';
import { registerPipelineAdminRoute } from './query/pipeline-admin-route.js';
import { registerConnectionRoute } from './query/connection-route.js';
import { queryDdl } from './query/query-ddl.js';
import { queryEngineFor } from './query/query-engine.js';
import { registerQueryRoutes } from './query/query-routes.js';
import { startTicker } from './query/ticker.js';
import { registerCatalogDatasetRoute } from './schema-registry/catalog-dataset-route.js';
import { registryDdl } from './schema-registry/registry-ddl.js';
import { registerRegistryRoutes } from './schema-registry/registry-routes.js';
import { segmentDdl } from './segmentation/segment-ddl.js';
import { registerSegmentRoutes } from './segmentation/segment-routes.js';
import { startSegmentWorker } from './segmentation/segment-worker.js';

const BATCH_TICK_MS = 200;

/** SQL statements creating the pipeline tables in ctx.schema (idempotent; after the data DDL). */
export function pipelineDdl(schema: string): string[] {
  return [...queryDdl(schema), ...batchDdl(schema), ...registryDdl(schema), ...segmentDdl(schema)];
}

/** Routes behind the gateway. */
export function registerPipelineRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  registerQueryRoutes(app, ctx);
  registerConnectionRoute(app, ctx);
  registerImportRoutes(app, ctx);
  registerCatalogBatchRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);
  registerCatalogDatasetRoute(app, ctx);
  registerSegmentRoutes(app, ctx);
}

/** Admin routes (outside the gateway). */
export function registerPipelineAdminRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  registerPipelineAdminRoute(app, ctx);
}

/** Starts the background workers (queries, batches, segment jobs); returns a stop function. */
export function startPipelineWorkers(ctx: SimulatorContext): () => Promise<void> {
  const queries = queryEngineFor(ctx);
  queries.start();
  const batches = batchProcessorFor(ctx);
  const stopBatches = startTicker(BATCH_TICK_MS, () => batches.processDue());
  const stopSegments = startSegmentWorker(ctx);
  return async () => {
    await Promise.all([queries.stop(), stopBatches(), stopSegments()]);
  };
}

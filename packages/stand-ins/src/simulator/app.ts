// Builds the Platform simulator as its own Fastify app: IMS, the gateway checks, Flow Service,
// the data routes (catalog, labels, ad hoc runs, runs), the pipeline routes (Query Service,
// batch ingestion, schema registry, segmentation) and the admin endpoints. Listening and
// signal handling live in main.ts (standalone) or in the service's main.
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { SimulatorConfig } from './config.js';
import type { SimulatorContext } from './context.js';
import { dataDdl, registerDataRoutes, startRunTicker } from './data-routes.js';
import { flowError } from './errors.js';
import { registerAdminRoutes } from './faults/admin-routes.js';
import { registerFaultHooks } from './faults/hooks.js';
import { SimulatorFaultInjector } from './faults/injector.js';
import { registerFlowService } from './flow-service/routes.js';
import { JSON_CONTENT_TYPE, registerGateway } from './gateway.js';
import { registerMlPlatform, type MlPlatformHandle, type MlPlatformOptions } from '../ml-platform/routes.js';
import { registerIms } from './ims.js';
import { pipelineDdl, registerPipelineAdminRoutes, registerPipelineRoutes, startPipelineWorkers } from './pipeline-routes.js';
import { applyDdl, ensureDatabase } from '../common/database.js';
import { SIMULATOR_POOL_SIZE } from './store/connection-gate.js';
import { coreDdl } from './store/ddl.js';
import { PgEntityStore } from './store/entity-store.js';
import { PgTokenStore } from './store/token-store.js';
import { setQueryInterfacePort } from './query/connection-route.js';
import { startQueryInterface, type QueryInterface } from './query/pg-interface.js';
import { SimulatorStorage } from './storage/simulator-storage.js';

export interface SimulatorOptions {
  /** A pino logger to use (the standalone entry passes one); default: no logging. */
  logger?: FastifyBaseLogger;
  /** Clock override for tests that reason about token expiry or readiness windows. */
  now?: () => number;
  /** The local ML platform mounted under /ml (tokens, Databricks-style callback auth, start delay). */
  mlPlatform?: Pick<MlPlatformOptions, 'tokens' | 'callbackBasicAuth' | 'startDelayMs' | 'callbackRetryDelaysMs' | 'faults'>;
  /**
   * Sees every gateway-checked Platform request (parsed body included) before its handler; an
   * answer it returns is sent instead. Tests plug Adobe's OpenAPI files in here (contract check).
   */
  requestInspector?: RequestInspector;
}

export interface InspectedRequest {
  method: string;
  /** Path and query string as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, a Buffer (file uploads) or undefined. */
  body: unknown;
}

export type InspectorAnswer = { status: number; body: unknown } | undefined;
export type RequestInspector = (request: InspectedRequest) => InspectorAnswer | Promise<InspectorAnswer>;

/** Where the local ML platform (Databricks Jobs API subset) is mounted: <simulator>/ml/api/2.1/jobs/... */
export const ML_PLATFORM_PREFIX = '/ml';

export interface Simulator {
  app: FastifyInstance;
  ctx: SimulatorContext;
  /** Prepares the database, listens on config.host:config.port; resolves to the base URL. */
  start(): Promise<string>;
  /** Stops the run ticker, the HTTP server and the pool. */
  close(): Promise<void>;
  /** The mounted ML platform's fault knobs. */
  ml: MlPlatformHandle;
}

export function createSimulator(config: SimulatorConfig, options: SimulatorOptions = {}): Simulator {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: SIMULATOR_POOL_SIZE });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'simulator pool error'));
  const faults = new SimulatorFaultInjector(config.faults, config.seed);
  const ctx: SimulatorContext = {
    config,
    pool,
    schema: config.dbSchema,
    entities: new PgEntityStore(pool, config.dbSchema),
    faults,
    storage: new SimulatorStorage(config.storage, config.host),
    now: options.now ?? Date.now,
  };
  const tokens = new PgTokenStore(pool, config.dbSchema);

  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    ...(config.requestLogs ? {} : { logController: new LogController({ disableRequestLogging: true }) }),
    // Held (timeout-fault) and keep-alive connections must not delay close().
    forceCloseConnections: true,
    bodyLimit: 10 * 1024 * 1024,
  });

  // Accept any JSON type (incl. empty bodies, which flow actions may send with a JSON type).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('Request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  let stopTicker: (() => Promise<void>) | undefined;
  let stopPipelineWorkers: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    await ensureDatabase(config.databaseUrl);
    await applyDdl(pool, [...coreDdl(config.dbSchema), ...dataDdl(config.dbSchema), ...pipelineDdl(config.dbSchema)]);
    stopTicker = startRunTicker(ctx);
    stopPipelineWorkers = startPipelineWorkers(ctx);
  });
  app.addHook('onClose', async () => {
    await stopPipelineWorkers?.();
    await stopTicker?.();
    await pool.end();
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'simulator error');
    const message = status >= 500 ? 'Internal server error' : error.message;
    return reply.code(status).send(flowError({ code: '0001', status, message, requestId: request.id }));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(flowError({ code: '0404', status: 404, message: `No route for ${request.method} ${request.url.split('?', 1)[0] ?? ''}` })),
  );

  registerFaultHooks(app, faults);
  void app.register(formbody);
  void app.register(async (root) => {
    registerAdminRoutes(root, ctx, tokens);
    registerPipelineAdminRoutes(root, ctx);
    registerIms(root, ctx, tokens);
    await root.register(async (platform) => {
      registerGateway(platform, ctx, tokens);
      const inspect = options.requestInspector;
      if (inspect !== undefined) {
        platform.addHook('preHandler', async (request, reply) => {
          const answer = await inspect({ method: request.method, url: request.url, headers: request.headers, body: request.body });
          if (answer !== undefined) return reply.code(answer.status).type('application/json').send(answer.body);
        });
      }
      registerFlowService(platform, ctx);
      await registerDataRoutes(platform, ctx);
      registerPipelineRoutes(platform, ctx);
    });
  });
  // The local ML platform (Databricks-like, its own bearer auth), the default of pipelines' ml steps.
  let ml: MlPlatformHandle | undefined;
  void app.register(
    async (scope) => {
      ml = registerMlPlatform(scope, {
        pool,
        schema: config.dbSchema,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...options.mlPlatform,
      });
    },
    { prefix: ML_PLATFORM_PREFIX },
  );

  let queryInterface: QueryInterface | undefined;
  return {
    app,
    ctx,
    get ml(): MlPlatformHandle {
      if (ml === undefined) throw new Error('the ML platform is mounted when the simulator is ready');
      return ml;
    },
    async start() {
      await ctx.storage.start();
      try {
        const url = await app.listen({ port: config.port, host: config.host });
        queryInterface = await startQueryInterface(ctx, tokens, { host: config.host, port: config.queryPort });
        setQueryInterfacePort(ctx, queryInterface.port);
        return url;
      } catch (error) {
        await app.close();
        await ctx.storage.close();
        throw error;
      }
    },
    async close() {
      setQueryInterfacePort(ctx, null);
      await queryInterface?.close();
      await app.close();
      await ctx.storage.close();
    },
  };
}

// The local ML platform as a Fastify plugin: a Databricks Jobs API subset under /api/2.1 (and the
// same routes under /api/2.2, which current Databricks SDKs call):
//   POST /api/2.1/jobs/run-now         {job_id, job_parameters, idempotency_token?} -> {run_id, number_in_job}
//   GET  /api/2.1/jobs/runs/get        ?run_id=  -> the run (Databricks shape) + `output`
//   GET  /api/2.1/jobs/runs/get-output ?run_id=  -> {metadata, notebook_output?: {result}, error?}
//   POST /api/2.1/jobs/runs/cancel     {run_id}  -> {}
// Every job_id runs the same local job (docs/ml-platform.md: read the training files through their
// signed URLs, train logistic regression, score, upload the scores file to its signed URL). Bearer
// tokens only; errors use Databricks' `{error_code, message}`. No file system access.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import { applyDdl } from '../common/database.js';
import { checkBearerToken } from './bearer-auth.js';
import { MlPlatformFaults, type MlPlatformFaultConfig } from './faults.js';
import { MlJobRunner } from './jobs.js';
import type { BasicAuth } from './run-callback.js';
import { CancelBodySchema, RunIdQuerySchema, RunNowBodySchema, runParameters } from './run-now-request.js';
import { presentRun } from './run-presenter.js';
import { mlPlatformDdl, MlRunStore } from './run-store.js';

export { mlPlatformDdl } from './run-store.js';

/** The token a fresh local ML platform accepts when none are configured (local use only). */
export const DEFAULT_ML_PLATFORM_TOKEN = 'local-ml-platform-token';
export const ML_PLATFORM_API_VERSIONS = ['2.1', '2.2'] as const;

export interface MlPlatformOptions {
  pool: Pool;
  /** Postgres schema for the `ml_runs` table (a validated lowercase identifier). */
  schema: string;
  logger?: FastifyBaseLogger;
  now?: () => number;
  /** Accepted bearer tokens; default [DEFAULT_ML_PLATFORM_TOKEN]. */
  tokens?: readonly string[];
  /** Basic auth sent with Databricks-style (unsigned) notifications, like a webhook destination's. */
  callbackBasicAuth?: BasicAuth;
  faults?: Partial<MlPlatformFaultConfig>;
  /** How long a run stays PENDING before it starts (a cluster spin-up); default 200 ms. */
  startDelayMs?: number;
  /** Waits before callback retries; default 1 s, 5 s, 30 s. */
  callbackRetryDelaysMs?: readonly number[];
  callbackTimeoutMs?: number;
}

export interface MlPlatformHandle {
  /** Fault knobs, adjustable at any time (e.g. from an admin route). */
  faults: MlPlatformFaults;
}

type DatabricksErrorCode = 'INVALID_PARAMETER_VALUE' | 'MALFORMED_REQUEST' | 'PERMISSION_DENIED' | 'UNAUTHENTICATED' | 'INTERNAL_ERROR';

function sendError(reply: FastifyReply, status: number, errorCode: DatabricksErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error_code: errorCode, message });
}

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return sendError(reply, 400, 'INVALID_PARAMETER_VALUE', z.prettifyError(error));
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Registers the ML platform's routes (encapsulated: its auth and error shape stay inside). */
export function registerMlPlatform(app: FastifyInstance, options: MlPlatformOptions): MlPlatformHandle {
  const faults = new MlPlatformFaults(options.faults);
  const tokens = options.tokens ?? [DEFAULT_ML_PLATFORM_TOKEN];
  const logger = (options.logger ?? app.log).child({ component: 'ml-platform' });
  const store = new MlRunStore(options.pool, options.schema);
  const runner = new MlJobRunner({
    store,
    logger,
    now: options.now ?? Date.now,
    faults,
    startDelayMs: options.startDelayMs ?? 200,
    callback: {
      retryDelaysMs: options.callbackRetryDelaysMs ?? [1000, 5000, 30_000],
      timeoutMs: options.callbackTimeoutMs ?? 15_000,
      ...(options.callbackBasicAuth === undefined ? {} : { basicAuth: options.callbackBasicAuth }),
    },
  });

  void app.register(async (scope) => {
    scope.addHook('onReady', async () => {
      await applyDdl(options.pool, mlPlatformDdl(options.schema));
      await runner.start();
    });
    scope.addHook('onClose', async () => runner.close());

    scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'ML platform error');
      return status >= 500 ? sendError(reply, 500, 'INTERNAL_ERROR', 'Internal error') : sendError(reply, status, 'MALFORMED_REQUEST', error.message);
    });

    scope.addHook('onRequest', async (request, reply) => {
      const check = checkBearerToken(request.headers.authorization, tokens);
      if (check === 'missing') return sendError(reply, 401, 'UNAUTHENTICATED', 'Credential was not sent or was of an unsupported type for this API.');
      if (check === 'invalid') return sendError(reply, 403, 'PERMISSION_DENIED', 'Invalid access token.');
    });

    for (const version of ML_PLATFORM_API_VERSIONS) {
      const base = `/api/${version}/jobs`;

      scope.post(`${base}/run-now`, async (request, reply) => {
        const parsed = RunNowBodySchema.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, parsed.error);
        const run = await runner.runNow({
          jobId: parsed.data.job_id,
          parameters: runParameters(parsed.data),
          ...(parsed.data.idempotency_token === undefined ? {} : { idempotencyToken: parsed.data.idempotency_token }),
        });
        return { run_id: run.runId, number_in_job: run.runId };
      });

      scope.get(`${base}/runs/get`, async (request, reply) => {
        const parsed = RunIdQuerySchema.safeParse(request.query);
        if (!parsed.success) return invalid(reply, parsed.error);
        const run = await runner.get(parsed.data.run_id);
        if (run === null) return sendError(reply, 400, 'INVALID_PARAMETER_VALUE', `Run ${parsed.data.run_id} does not exist.`);
        return presentRun(run, baseUrl(request));
      });

      scope.get(`${base}/runs/get-output`, async (request, reply) => {
        const parsed = RunIdQuerySchema.safeParse(request.query);
        if (!parsed.success) return invalid(reply, parsed.error);
        const run = await runner.get(parsed.data.run_id);
        if (run === null) return sendError(reply, 400, 'INVALID_PARAMETER_VALUE', `Run ${parsed.data.run_id} does not exist.`);
        const metadata = presentRun(run, baseUrl(request));
        if (run.output !== null) return { metadata, notebook_output: { result: JSON.stringify(run.output), truncated: false } };
        return run.resultState === null || run.resultState === 'SUCCESS' ? { metadata } : { metadata, error: run.stateMessage };
      });

      scope.post(`${base}/runs/cancel`, async (request, reply) => {
        const parsed = CancelBodySchema.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, parsed.error);
        const outcome = await runner.cancel(parsed.data.run_id);
        if (outcome === 'not_found') return sendError(reply, 400, 'INVALID_PARAMETER_VALUE', `Run ${parsed.data.run_id} does not exist.`);
        // Cancelling a finished run is a no-op, as in Databricks.
        return {};
      });
    }
  });

  return { faults };
}

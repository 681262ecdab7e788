// A Databricks Jobs API client (the subset the ml step uses): run-now with an idempotency token
// (Databricks starts exactly one run per token, so a crash between "started" and "saved" finds
// the same run again), runs/get, runs/get-output (where the job hands back its result JSON) and
// runs/cancel. Bearer token auth; failures are classified so the step can wait or fail.
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';

export type MlErrorKind = 'transient' | 'permanent' | 'auth' | 'not_found';

export class MlPlatformError extends Error {
  override readonly name = 'MlPlatformError';
  constructor(
    readonly kind: MlErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

const RunSchema = z.looseObject({
  run_id: z.number(),
  job_id: z.number().optional(),
  state: z.looseObject({
    life_cycle_state: z.string(),
    result_state: z.string().optional(),
    state_message: z.string().default(''),
  }),
  run_page_url: z.string().optional(),
});
export type MlRun = z.infer<typeof RunSchema>;

const RunNowSchema = z.looseObject({ run_id: z.number() });
const OutputSchema = z.looseObject({
  notebook_output: z.looseObject({ result: z.string().optional() }).optional(),
  error: z.string().optional(),
});
const ErrorBodySchema = z.looseObject({ error_code: z.string().optional(), message: z.string().optional() });

/** Life cycle states after which a run changes no more. */
export const TERMINAL_LIFE_CYCLE_STATES = new Set(['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR']);

export interface MlClientOptions {
  /** Workspace base URL (the API lives under /api/2.1). */
  baseUrl: string;
  token: string;
  /** The SSRF guard's dispatcher for caller-given URLs; default: undici's global one. */
  dispatcher?: Dispatcher;
  timeoutMs: number;
}

export type MlClient = ReturnType<typeof createMlClient>;

export function createMlClient(options: MlClientOptions) {
  const base = `${options.baseUrl.replace(/\/$/, '')}/api/2.1/jobs`;

  async function call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown, signal?: AbortSignal): Promise<z.infer<S>> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new MlPlatformError('transient', `The ML platform could not be reached (${error instanceof Error ? error.message : String(error)}).`);
    }
    const text = await response.body.text();
    let parsedBody: unknown;
    try {
      parsedBody = text === '' ? {} : JSON.parse(text);
    } catch {
      parsedBody = { message: text.slice(0, 200) };
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const parsed = schema.safeParse(parsedBody);
      if (!parsed.success) throw new MlPlatformError('permanent', `The ML platform answered ${path} in an unexpected shape.`, response.statusCode);
      return parsed.data;
    }
    const error = ErrorBodySchema.safeParse(parsedBody);
    const code = error.success ? error.data.error_code : undefined;
    const message = (error.success ? error.data.message : undefined) ?? `HTTP ${response.statusCode}`;
    const status = response.statusCode;
    if (status === 429 || status >= 500) throw new MlPlatformError('transient', `The ML platform had a temporary problem (${message}).`, status, code);
    if (status === 401 || status === 403) throw new MlPlatformError('auth', `The ML platform refused the token (${message}); check the ML platform token.`, status, code);
    if (/does not exist/i.test(message)) throw new MlPlatformError('not_found', `The ML platform does not know this run (${message}).`, status, code);
    throw new MlPlatformError('permanent', `The ML platform refused the request (${message}).`, status, code);
  }

  return {
    /** Starts the job; the same idempotency token always answers the same run. */
    async runNow(input: { jobId: number; parameters: Record<string, string>; idempotencyToken: string }, signal?: AbortSignal): Promise<{ runId: number }> {
      const body = { job_id: input.jobId, job_parameters: input.parameters, idempotency_token: input.idempotencyToken };
      const started = await call('POST', '/run-now', RunNowSchema, body, signal);
      return { runId: started.run_id };
    },

    getRun: (runId: number, signal?: AbortSignal): Promise<MlRun> => call('GET', `/runs/get?run_id=${runId}`, RunSchema, undefined, signal),

    /** The job's `dbutils.notebook.exit()` value (the local platform's run output), or its error. */
    async getRunOutput(runId: number, signal?: AbortSignal): Promise<{ result?: string; error?: string }> {
      const output = await call('GET', `/runs/get-output?run_id=${runId}`, OutputSchema, undefined, signal);
      return { ...(output.notebook_output?.result === undefined ? {} : { result: output.notebook_output.result }), ...(output.error === undefined ? {} : { error: output.error }) };
    },

    async cancelRun(runId: number, signal?: AbortSignal): Promise<void> {
      await call('POST', '/runs/cancel', z.unknown(), { run_id: runId }, signal);
    },
  };
}

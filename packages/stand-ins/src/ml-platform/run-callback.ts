// The completion callback of a run. With a callback secret: a Standard Webhooks-signed
// `{type:"run.completed", timestamp, data:{...}}`; without one: a Databricks job notification
// (`{event_type:"jobs.on_success"|"jobs.on_failure", workspace_id, run:{run_id}, job:{job_id,name}}`,
// thin and unsigned, with basic auth when configured), as a Databricks webhook destination sends it.
// Delivery: any 2xx is success, 410 stops, everything else is retried on a short schedule; every
// attempt is re-signed with its own timestamp under the same webhook-id.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { signedCallbackHeaders } from './callback-signature.js';
import type { MlRun } from './run-store.js';

export const RUN_COMPLETED_EVENT = 'run.completed';
/** The single job every job_id runs locally (named in notifications and run pages). */
export const LOCAL_JOB_NAME = 'train-and-score';
export const LOCAL_WORKSPACE_ID = 'local-ml-platform';

export interface BasicAuth {
  username: string;
  password: string;
}

export interface CallbackDeliveryOptions {
  /** Waits before each retry; the first attempt is immediate. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  basicAuth?: BasicAuth;
  now: () => number;
  signal?: AbortSignal;
}

export interface CallbackOutcome {
  status: 'delivered' | 'failed';
  attempts: number;
  error?: string;
}

/** The signed event body: thin, the receiver re-fetches runs/get before acting. */
export function runCompletedEvent(run: MlRun, nowMs: number): unknown {
  return {
    type: RUN_COMPLETED_EVENT,
    timestamp: new Date(nowMs).toISOString(),
    data: {
      run_id: run.runId,
      job_id: run.jobId,
      life_cycle_state: run.lifeCycleState,
      result_state: run.resultState,
      state_message: run.stateMessage,
      ...(run.output === null ? {} : { scores_uri: run.output.scores_uri, scored_rows: run.output.scored_rows, auc_holdout: run.output.auc_holdout }),
    },
  };
}

/** Databricks sends on_failure for every unsuccessful end, cancellations included. */
export function databricksNotification(run: MlRun): unknown {
  return {
    event_type: run.resultState === 'SUCCESS' ? 'jobs.on_success' : 'jobs.on_failure',
    workspace_id: LOCAL_WORKSPACE_ID,
    run: { run_id: run.runId },
    job: { job_id: run.jobId, name: LOCAL_JOB_NAME },
  };
}

function attemptHeaders(run: MlRun, body: string, options: CallbackDeliveryOptions): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'local-ml-platform' };
  const secret = run.parameters.callbackSecret;
  if (secret !== undefined) {
    Object.assign(headers, signedCallbackHeaders({ id: `msg_${run.callbackMessageId}`, timestampSeconds: Math.floor(options.now() / 1000), body, secret }));
  } else if (options.basicAuth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  }
  return headers;
}

/** Sends the run's callback to its callback_url, retrying per the schedule; never throws on HTTP failure. */
export async function deliverRunCallback(run: MlRun, options: CallbackDeliveryOptions): Promise<CallbackOutcome> {
  const url = run.parameters.callbackUrl;
  if (url === undefined) return { status: 'failed', attempts: 0, error: 'run has no callback_url' };
  let lastError = '';
  const schedule = [0, ...options.retryDelaysMs];
  for (let attempt = 0; attempt < schedule.length; attempt++) {
    const delay = schedule[attempt] ?? 0;
    if (delay > 0) await sleep(delay, undefined, { signal: options.signal });
    // The body is built per attempt: its timestamp is the attempt's, like the signature's.
    const body = JSON.stringify(run.parameters.callbackSecret === undefined ? databricksNotification(run) : runCompletedEvent(run, options.now()));
    try {
      const response = await request(url, {
        method: 'POST',
        headers: attemptHeaders(run, body, options),
        body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) return { status: 'delivered', attempts: attempt + 1 };
      lastError = `HTTP ${response.statusCode}`;
      if (response.statusCode === 410) return { status: 'failed', attempts: attempt + 1, error: `${lastError} (endpoint gone)` };
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  return { status: 'failed', attempts: schedule.length, error: lastError };
}

// Postgres storage of ML platform runs (one table in the given schema), so runs, their outputs and
// undelivered callbacks survive a restart. Every state change is a conditional UPDATE naming the
// states it may leave, so a cancel racing a completion has exactly one winner.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { quoteIdent } from '../common/sql-ident.js';
import type { TrainingFile } from './job-contract.js';
import type { RunOutput } from './train-and-score.js';

export type LifeCycleState = 'PENDING' | 'RUNNING' | 'TERMINATED' | 'INTERNAL_ERROR';
export type ResultState = 'SUCCESS' | 'FAILED' | 'CANCELED';
/**
 * none: no callback_url. waiting: run not finished yet. pending: due (or being) delivered.
 * delivered / failed: final outcome of the delivery. dropped: lost on purpose (fault injection).
 */
export type CallbackStatus = 'none' | 'waiting' | 'pending' | 'delivered' | 'failed' | 'dropped';

/**
 * The job parameters a run was started with, already validated. Like Databricks, the platform keeps
 * them (signed URLs included) with the run; they expire at `credentialsExpireAt`.
 */
export interface RunParameters {
  trainingUri: string;
  trainingFiles?: TrainingFile[];
  trainingFilesUrl?: string;
  scoresUri: string;
  scoresUploadUrl: string;
  scoresUploadHeaders: Record<string, string>;
  credentialsExpireAt: string;
  featureColumns: string[];
  labelColumn: string;
  idColumn: string;
  holdoutFraction: number;
  seed: string;
  callbackUrl?: string;
  /** Kept in the platform's own store, like a Databricks secret scope; never served back. */
  callbackSecret?: string;
  /** Fault injection: the run fails instead of training. */
  simulateFailure: boolean;
  /** Fault injection: the completion callback is never sent. */
  dropCallback: boolean;
}

export interface MlRun {
  runId: number;
  jobId: number;
  parameters: RunParameters;
  lifeCycleState: LifeCycleState;
  resultState: ResultState | null;
  stateMessage: string;
  userCancelled: boolean;
  startTimeMs: number;
  runningSinceMs: number | null;
  endTimeMs: number | null;
  output: RunOutput | null;
  /** Stable `webhook-id` of the completion callback (same on every retry and after restarts). */
  callbackMessageId: string;
  callbackStatus: CallbackStatus;
  callbackAttempts: number;
  callbackError: string | null;
}

export const ACTIVE_STATES: readonly LifeCycleState[] = ['PENDING', 'RUNNING'];

export function mlPlatformDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.ml_runs (
       run_id bigserial PRIMARY KEY,
       job_id bigint NOT NULL,
       idempotency_token text,
       parameters jsonb NOT NULL,
       life_cycle_state text NOT NULL,
       result_state text,
       state_message text NOT NULL DEFAULT '',
       user_cancelled boolean NOT NULL DEFAULT false,
       start_time_ms bigint NOT NULL,
       running_since_ms bigint,
       end_time_ms bigint,
       output jsonb,
       callback_message_id text NOT NULL,
       callback_status text NOT NULL,
       callback_attempts integer NOT NULL DEFAULT 0,
       callback_error text,
       CONSTRAINT ml_runs_idempotency UNIQUE (job_id, idempotency_token)
     )`,
    // Restart recovery looks for unfinished runs and undelivered callbacks.
    `CREATE INDEX IF NOT EXISTS ml_runs_active ON ${s}.ml_runs (life_cycle_state) WHERE life_cycle_state IN ('PENDING', 'RUNNING')`,
    `CREATE INDEX IF NOT EXISTS ml_runs_callback_pending ON ${s}.ml_runs (run_id) WHERE callback_status = 'pending'`,
  ];
}

interface RunRow {
  run_id: string;
  job_id: string;
  parameters: RunParameters;
  life_cycle_state: LifeCycleState;
  result_state: ResultState | null;
  state_message: string;
  user_cancelled: boolean;
  start_time_ms: string;
  running_since_ms: string | null;
  end_time_ms: string | null;
  output: RunOutput | null;
  callback_message_id: string;
  callback_status: CallbackStatus;
  callback_attempts: number;
  callback_error: string | null;
}

const optionalNumber = (value: string | null): number | null => (value === null ? null : Number(value));

function toRun(row: RunRow): MlRun {
  return {
    runId: Number(row.run_id),
    jobId: Number(row.job_id),
    parameters: row.parameters,
    lifeCycleState: row.life_cycle_state,
    resultState: row.result_state,
    stateMessage: row.state_message,
    userCancelled: row.user_cancelled,
    startTimeMs: Number(row.start_time_ms),
    runningSinceMs: optionalNumber(row.running_since_ms),
    endTimeMs: optionalNumber(row.end_time_ms),
    output: row.output,
    callbackMessageId: row.callback_message_id,
    callbackStatus: row.callback_status,
    callbackAttempts: row.callback_attempts,
    callbackError: row.callback_error,
  };
}

export interface Termination {
  lifeCycleState: 'TERMINATED' | 'INTERNAL_ERROR';
  resultState: ResultState;
  stateMessage: string;
  output?: RunOutput;
  userCancelled?: boolean;
}

export class MlRunStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.ml_runs`;
  }

  /** Creates a PENDING run; with an idempotency token, a repeat returns the first run instead. */
  async create(input: { jobId: number; idempotencyToken?: string; parameters: RunParameters; nowMs: number }): Promise<{ run: MlRun; created: boolean }> {
    const inserted = await this.pool.query<RunRow>(
      `INSERT INTO ${this.table} (job_id, idempotency_token, parameters, life_cycle_state, start_time_ms, callback_message_id, callback_status)
       VALUES ($1, $2, $3, 'PENDING', $4, $5, $6)
       ON CONFLICT ON CONSTRAINT ml_runs_idempotency DO NOTHING
       RETURNING *`,
      [
        input.jobId,
        input.idempotencyToken ?? null,
        JSON.stringify(input.parameters),
        input.nowMs,
        randomBytes(12).toString('hex'),
        input.parameters.callbackUrl === undefined ? 'none' : 'waiting',
      ],
    );
    const row = inserted.rows[0];
    if (row !== undefined) return { run: toRun(row), created: true };
    const existing = await this.pool.query<RunRow>(`SELECT * FROM ${this.table} WHERE job_id = $1 AND idempotency_token = $2`, [
      input.jobId,
      input.idempotencyToken ?? null,
    ]);
    const first = existing.rows[0];
    if (first === undefined) throw new Error('idempotent run-now conflict without an existing run');
    return { run: toRun(first), created: false };
  }

  async get(runId: number): Promise<MlRun | null> {
    const result = await this.pool.query<RunRow>(`SELECT * FROM ${this.table} WHERE run_id = $1`, [runId]);
    const row = result.rows[0];
    return row === undefined ? null : toRun(row);
  }

  /** PENDING -> RUNNING; null when the run is no longer pending (cancelled, or claimed already). */
  async claim(runId: number, nowMs: number): Promise<MlRun | null> {
    const result = await this.pool.query<RunRow>(
      `UPDATE ${this.table} SET life_cycle_state = 'RUNNING', running_since_ms = $2
       WHERE run_id = $1 AND life_cycle_state = 'PENDING' RETURNING *`,
      [runId, nowMs],
    );
    const row = result.rows[0];
    return row === undefined ? null : toRun(row);
  }

  /**
   * Ends a run that is still in one of `from`; a waiting callback becomes due in the same update.
   * null when the run already left those states (e.g. cancelled while it ran).
   */
  async terminate(runId: number, from: readonly LifeCycleState[], end: Termination, nowMs: number): Promise<MlRun | null> {
    const result = await this.pool.query<RunRow>(
      `UPDATE ${this.table}
       SET life_cycle_state = $3, result_state = $4, state_message = $5, output = $6, user_cancelled = $7, end_time_ms = $8,
           callback_status = CASE WHEN callback_status = 'waiting' THEN 'pending' ELSE callback_status END
       WHERE run_id = $1 AND life_cycle_state = ANY($2::text[]) RETURNING *`,
      [runId, [...from], end.lifeCycleState, end.resultState, end.stateMessage, end.output === undefined ? null : JSON.stringify(end.output), end.userCancelled ?? false, nowMs],
    );
    const row = result.rows[0];
    return row === undefined ? null : toRun(row);
  }

  async listByState(states: readonly LifeCycleState[]): Promise<MlRun[]> {
    const result = await this.pool.query<RunRow>(`SELECT * FROM ${this.table} WHERE life_cycle_state = ANY($1::text[]) ORDER BY run_id`, [[...states]]);
    return result.rows.map(toRun);
  }

  async listPendingCallbacks(): Promise<MlRun[]> {
    const result = await this.pool.query<RunRow>(`SELECT * FROM ${this.table} WHERE callback_status = 'pending' ORDER BY run_id`);
    return result.rows.map(toRun);
  }

  /** Records a delivery outcome; only a pending callback changes (a delivered one stays delivered). */
  async recordCallback(runId: number, outcome: { status: 'delivered' | 'failed' | 'dropped'; attempts: number; error?: string }): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET callback_status = $2, callback_attempts = callback_attempts + $3, callback_error = $4
       WHERE run_id = $1 AND callback_status = 'pending'`,
      [runId, outcome.status, outcome.attempts, outcome.error ?? null],
    );
  }
}

// Test harness of the ML platform plugin: a fresh Postgres schema (dropped at the end), a tiny
// Fastify app with only the plugin, Databricks-style calls through inject, and a local HTTP
// listener recording callbacks with their raw bodies.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { registerMlPlatform, type MlPlatformHandle, type MlPlatformOptions } from '../../packages/stand-ins/src/ml-platform/routes.js';
import { quoteIdent } from '../../packages/stand-ins/src/common/sql-ident.js';
import { adminDatabaseUrl } from '../support/database.js';

export const TEST_TOKEN = 'test-only-ml-token';

export interface TestSchema {
  pool: pg.Pool;
  schema: string;
  drop(): Promise<void>;
}

export async function createTestSchema(): Promise<TestSchema> {
  const schema = `ml_test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: adminDatabaseUrl, max: 5 });
  await pool.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  return {
    pool,
    schema,
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await pool.end();
    },
  };
}

export interface TestPlatform {
  app: FastifyInstance;
  handle: MlPlatformHandle;
  call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  /** Polls runs/get until the run leaves PENDING/RUNNING. */
  waitForTerminal(runId: number): Promise<RunGet>;
}

export interface RunGet {
  run_id: number;
  job_id: number;
  state: { life_cycle_state: string; result_state?: string; state_message: string; user_cancelled_or_timedout: boolean };
  start_time: number;
  end_time: number;
  run_page_url: string;
  output?: Record<string, unknown> & { scores_uri: string; auc_holdout: number | null; auc_train: number | null; scored_rows: number; rows_holdout: number };
}

export async function startPlatform(db: TestSchema, options: Partial<MlPlatformOptions> = {}): Promise<TestPlatform> {
  const app = Fastify({ logger: false });
  const handle = registerMlPlatform(app, { pool: db.pool, schema: db.schema, tokens: [TEST_TOKEN], startDelayMs: 10, callbackRetryDelaysMs: [20, 20], ...options });
  await app.ready();
  const call: TestPlatform['call'] = async (method, path, body, token = TEST_TOKEN) => {
    const response = await app.inject({
      method,
      url: path,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return { status: response.statusCode, body: response.json() };
  };
  return {
    app,
    handle,
    call,
    async waitForTerminal(runId) {
      for (let i = 0; i < 600; i++) {
        const { status, body } = await call<RunGet>('GET', `/api/2.1/jobs/runs/get?run_id=${runId}`);
        if (status !== 200) throw new Error(`runs/get answered ${status}`);
        if (body.state.life_cycle_state !== 'PENDING' && body.state.life_cycle_state !== 'RUNNING') return body;
        await sleep(50);
      }
      throw new Error(`run ${runId} did not finish`);
    },
  };
}

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface CallbackListener {
  url: string;
  received: ReceivedCallback[];
  /** Waits until a callback matching `predicate` arrived (fails after a generous deadline). */
  waitFor(predicate: (callback: ReceivedCallback) => boolean): Promise<ReceivedCallback>;
  close(): Promise<void>;
}

/** A local HTTP listener answering `status` (default 204) and recording every request. */
export async function startCallbackListener(statusFor: (attempt: number) => number = () => 204): Promise<CallbackListener> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statusFor(received.length);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks/ml`,
    received,
    async waitFor(predicate) {
      for (let i = 0; i < 400; i++) {
        const found = received.find(predicate);
        if (found !== undefined) return found;
        await sleep(50);
      }
      throw new Error('expected callback did not arrive');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The run a received callback is about: `data.run_id` (signed event) or `run.run_id` (Databricks). */
export function callbackRunId(callback: ReceivedCallback): number | undefined {
  const body = JSON.parse(callback.rawBody) as { data?: { run_id?: number }; run?: { run_id?: number } };
  return body.data?.run_id ?? body.run?.run_id;
}

/** The callback delivery state of a run, read straight from the platform's table. */
export async function callbackStatus(db: TestSchema, runId: number): Promise<{ status: string; attempts: number }> {
  const result = await db.pool.query<{ callback_status: string; callback_attempts: number }>(
    `SELECT callback_status, callback_attempts FROM ${quoteIdent(db.schema)}.ml_runs WHERE run_id = $1`,
    [runId],
  );
  const row = result.rows[0];
  if (row === undefined) throw new Error(`run ${runId} not stored`);
  return { status: row.callback_status, attempts: row.callback_attempts };
}

/** Waits until the run's callback is no longer waiting or pending. */
export async function settledCallbackStatus(db: TestSchema, runId: number): Promise<{ status: string; attempts: number }> {
  for (let i = 0; i < 400; i++) {
    const current = await callbackStatus(db, runId);
    if (current.status !== 'waiting' && current.status !== 'pending') return current;
    await sleep(50);
  }
  throw new Error(`callback of run ${runId} never settled`);
}

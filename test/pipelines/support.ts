// The pipeline tests' world: the API (test/support/api.ts) listening on a local port (so the ML
// platform's callbacks reach it), an in-process worker on the same database, queue prefix and
// simulator (with its ML platform under /ml and its storage emulators). The service reaches
// storage only through the adapters; nothing shares a folder. Short waits everywhere.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';
import type { StartSimulatorOptions, TestSimulator } from '../support/simulator.js';
import { fastWorkerEnv } from '../worker/helpers.js';

export const fastPipelineEnv: Record<string, string> = {
  ...fastWorkerEnv,
  ML_POLL_INITIAL_MS: '200',
  ML_POLL_MAX_MS: '800',
  NOTIFICATION_POLL_MS: '100',
  NOTIFICATION_RETRY_INITIAL_MS: '100',
  ALLOW_PRIVATE_CALLBACKS: 'true',
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface PipelineWorld {
  api: TestApi;
  sim: TestSimulator;
  baseUrl: string;
  worker: RunningWorker | undefined;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface PipelineWorldOptions {
  env?: Record<string, string>;
  simulator?: StartSimulatorOptions;
  noWorker?: boolean;
  /** false: the API only answers app.inject, so ML callbacks never reach it (tests send their own). */
  listen?: boolean;
}

export async function startPipelineWorld(options: PipelineWorldOptions = {}): Promise<PipelineWorld> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = await startTestApi({
    simulator: { notReadySeconds: 1, runDurationSeconds: 1, ...options.simulator },
    env: { ...fastPipelineEnv, PUBLIC_URL: baseUrl, ...options.env },
  });
  if (options.listen !== false) await api.app.listen({ port, host: '127.0.0.1' });
  const world: PipelineWorld = {
    api,
    sim: api.simulator,
    baseUrl,
    worker: undefined,
    async startWorker() {
      world.worker = await startWorker(api.config, pino({ level: process.env.PIPELINE_TEST_LOG ?? 'silent' }), { secrets: api.secrets });
    },
    async stopWorker() {
      await world.worker?.close();
      world.worker = undefined;
    },
    async close() {
      await world.stopWorker();
      await api.close();
    },
  };
  if (!options.noWorker) await world.startWorker();
  return world;
}

export async function createDlz(api: TestApi, name = 'landing zone'): Promise<string> {
  const response = await api.post(api.keys.tenantA, '/destinations', { type: 'dlz', name, params: {} });
  assert.equal(response.statusCode, 201, response.body);
  return bodyOf<{ id: string }>(response).id;
}

export async function startPipeline(api: TestApi, body: unknown, key = api.keys.tenantA): Promise<PipelineView> {
  const response = await api.post(key, '/pipelines', body);
  assert.equal(response.statusCode, 202, response.body);
  return bodyOf<PipelineView>(response);
}

export async function getPipeline(api: TestApi, id: string, key = api.keys.tenantA): Promise<PipelineView> {
  const response = await api.get(key, `/pipelines/${id}`);
  assert.equal(response.statusCode, 200, response.body);
  return bodyOf<PipelineView>(response);
}

export const terminal = (p: PipelineView) => ['succeeded', 'failed', 'cancelled'].includes(p.status);

/** Polls GET /pipelines/:id until `done` holds (fails with the last state seen). */
export async function waitForPipeline(api: TestApi, id: string, done: (p: PipelineView) => boolean = terminal, timeoutMs = 90_000): Promise<PipelineView> {
  const until = Date.now() + timeoutMs;
  let last: PipelineView | undefined;
  while (Date.now() < until) {
    last = await getPipeline(api, id);
    if (done(last)) return last;
    await sleep(100);
  }
  assert.fail(`pipeline ${id} did not reach the expected state; last seen: ${JSON.stringify(last, null, 1)}`);
}

export async function setPipelineSettings(sim: TestSimulator, patch: Record<string, number>): Promise<void> {
  const response = await fetch(`${sim.url}/simulator/admin/pipeline`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  assert.equal(response.status, 200, await response.text());
}

export function stepOf(pipeline: PipelineView, name: string): PipelineView['steps'][number] {
  const step = pipeline.steps.find((s) => s.name === name);
  assert.ok(step, `no step ${name}`);
  return step;
}

// Shared pieces of the worker tests: the API (test/support/api.ts) plus an in-process worker on
// the same database, queue prefix and simulator; export helpers through the HTTP API; and counts
// of Platform objects read through the simulator's own Flow Service API, as a client would.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';
import type { StartSimulatorOptions, TestSimulator } from '../support/simulator.js';

/** Short waits everywhere so a test takes seconds, not the Platform's minutes. */
export const fastWorkerEnv: Record<string, string> = {
  RUN_POLL_INITIAL_MS: '100',
  RUN_POLL_MAX_MS: '400',
  NOT_READY_RETRY_INITIAL_MS: '150',
  NOT_READY_RETRY_MAX_MS: '600',
  SWEEPER_INTERVAL_MS: '200',
  SWEEPER_GRACE_MS: '1000',
  WORKER_CONCURRENCY: '8',
  DATABASE_POOL_SIZE: '6',
  // The simulator's storage emulators listen on loopback.
  ALLOW_PRIVATE_STORAGE: 'true',
};

export interface World {
  api: TestApi;
  sim: TestSimulator;
  worker: RunningWorker | undefined;
  startWorker(): Promise<RunningWorker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  simulator?: StartSimulatorOptions;
  env?: Record<string, string>;
  /** Start without a worker (the test starts it later). */
  noWorker?: boolean;
  producerRedisUrl?: string;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const api = await startTestApi({
    simulator: { notReadySeconds: 1, runDurationSeconds: 1, ...options.simulator },
    env: { ...fastWorkerEnv, ...options.env },
    ...(options.producerRedisUrl ? { producerRedisUrl: options.producerRedisUrl } : {}),
  });
  const world: World = {
    api,
    sim: api.simulator,
    worker: undefined,
    async startWorker() {
      world.worker = await startWorker(api.config, pino({ level: 'silent' }), { secrets: api.secrets });
      return world.worker;
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

export type DestinationType = keyof typeof fakeDestinationBodies;

export async function createDestination(api: TestApi, type: DestinationType, key = api.keys.tenantA): Promise<string> {
  const response = await api.post(key, '/destinations', fakeDestinationBodies[type]);
  assert.equal(response.statusCode, 201, response.body);
  return bodyOf<{ id: string }>(response).id;
}

/** The id of a seeded dataset, found by name through GET /datasets. */
export async function datasetIdByName(api: TestApi, name: string, key = api.keys.tenantA): Promise<string> {
  const response = await api.get(key, '/datasets?limit=100');
  assert.equal(response.statusCode, 200, response.body);
  const found = bodyOf<{ items: { id: string; name: string }[] }>(response).items.find((d) => d.name === name);
  assert.ok(found, `dataset ${name} not seeded`);
  return found.id;
}

export const EVENTS_DATASET = 'CMLE Synthetic Experience Events';

export interface ExportRequest {
  datasetId: string;
  destinationId: string;
  path: string;
  format?: 'parquet' | 'json';
  compression?: 'gzip' | 'none';
}

export async function createExport(api: TestApi, request: ExportRequest, key = api.keys.tenantA): Promise<ExportView> {
  const response = await api.post(key, '/exports', { format: 'parquet', compression: 'gzip', ...request });
  assert.equal(response.statusCode, 202, response.body);
  return bodyOf<ExportView>(response);
}

export async function getExport(api: TestApi, id: string, key = api.keys.tenantA): Promise<ExportView> {
  const response = await api.get(key, `/exports/${id}`);
  assert.equal(response.statusCode, 200, response.body);
  return bodyOf<ExportView>(response);
}

/** Polls GET /exports/:id until `done` holds (or fails with the last state seen). */
export async function waitForExport(
  api: TestApi,
  id: string,
  done: (e: ExportView) => boolean = (e) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(e.status),
  timeoutMs = 30_000,
): Promise<ExportView> {
  const until = Date.now() + timeoutMs;
  let last: ExportView | undefined;
  while (Date.now() < until) {
    last = await getExport(api, id);
    if (done(last)) return last;
    await sleep(50);
  }
  assert.fail(`export ${id} did not reach the expected state; last seen: ${JSON.stringify(last)}`);
}

export type FlowServiceCollection = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows' | 'runs';
export const flowServiceCollections: FlowServiceCollection[] = ['connections', 'sourceConnections', 'targetConnections', 'flows', 'runs'];

/** `GET /data/foundation/flowservice/<collection>?count=true[&property=...]` against the simulator. */
export async function countAtPlatform(sim: TestSimulator, collection: FlowServiceCollection, properties: string[] = []): Promise<number> {
  const query = new URLSearchParams([['count', 'true'], ...properties.map((p): [string, string] => ['property', p])]);
  const response = await fetch(`${sim.url}/data/foundation/flowservice/${collection}?${query.toString()}`, { headers: await sim.headers() });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { count: number }).count;
}

export async function countAllAtPlatform(sim: TestSimulator): Promise<Record<FlowServiceCollection, number>> {
  const entries = await Promise.all(flowServiceCollections.map(async (c) => [c, await countAtPlatform(sim, c)] as const));
  return Object.fromEntries(entries) as Record<FlowServiceCollection, number>;
}

export interface FlowAtPlatform {
  id: string;
  state: string;
  etag: string;
  sourceConnectionIds: string[];
  scheduleParams: { startTime: number; endTime?: number };
}

/** `GET /data/foundation/flowservice/flows/<id>` against the simulator (the flow entity). */
export async function flowAtPlatform(sim: TestSimulator, flowId: string): Promise<FlowAtPlatform> {
  const response = await fetch(`${sim.url}/data/foundation/flowservice/flows/${flowId}`, { headers: await sim.headers() });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { items: FlowAtPlatform[] };
  assert.ok(body.items[0]);
  return body.items[0];
}

/** Changes the flow's window at the Platform (epoch seconds), as time passing (or Adobe imposing an end date) would. */
export async function setFlowWindowAtPlatform(sim: TestSimulator, flowId: string, startTime: number, endTime: number): Promise<void> {
  const flow = await flowAtPlatform(sim, flowId);
  const response = await fetch(`${sim.url}/data/foundation/flowservice/flows/${flowId}`, {
    method: 'PATCH',
    headers: await sim.headers({ 'if-match': flow.etag }),
    body: JSON.stringify([{ op: 'replace', path: '/scheduleParams', value: { ...flow.scheduleParams, startTime, endTime } }]),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Every file under `<landing>/<path>/<datasetId>/`, relative to that folder. */
export async function landedFiles(sim: TestSimulator, path: string, datasetId: string): Promise<string[]> {
  const root = join(sim.config.landingZoneDir, ...path.split('/'), datasetId);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The simulator's gateway headers for a call without a body (no Content-Type). */
export async function bodylessHeaders(sim: TestSimulator): Promise<Record<string, string>> {
  const { 'content-type': _contentType, ...headers } = await sim.headers();
  return headers;
}

// One pipeline, and a worker process SIGKILLed at every step: each worker starts with CRASH_AT at
// the next step's hook point just after its external create (the object exists at the Platform or
// the ML platform, its id is not saved yet), dies there, and the next worker resumes the pipeline
// from Postgres. The pipeline still succeeds and the Platform holds exactly what one uninterrupted
// run creates: every lost id was found again (lookup by deterministic name, the registry's field
// groups and schemas and the segment definitions paged through by title/name, batch externalId,
// the segment job list, the ML run's idempotency token, the flow's runs) instead of created twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { cmlePipelineSteps } from '../../src/pipelines/cmle-example.js';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { quoteIdent } from '../../packages/stand-ins/src/common/sql-ident.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createProcessTenant } from '../support/process-tenant.js';
import { startApiProcess, startWorkerProcess, type ServiceProcess } from '../support/processes.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { countAllAtPlatform } from '../worker/helpers.js';
import { fastPipelineEnv } from './support.js';

let database: TestDatabase;
let sim: TestSimulator;
let api: { process: ServiceProcess; url: string };
let env: Record<string, string>;
let key: string;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function platformGet<T>(path: string): Promise<T> {
  const response = await fetch(`${sim.url}${path}`, { headers: await sim.headers() });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as T;
}

/** Every kind of object a pipeline makes outside, counted the way a client would see them. */
async function platformObjects() {
  const flowService = await countAllAtPlatform(sim);
  const queries = await platformGet<{ queries: unknown[] }>('/data/foundation/query/queries?limit=1000');
  const datasets = await platformGet<Record<string, unknown>>('/data/foundation/catalog/dataSets?limit=100');
  const batches = await platformGet<Record<string, unknown>>('/data/foundation/catalog/batches?limit=100');
  const jobs = await platformGet<{ _page: { totalCount: number } }>('/data/core/ups/segment/jobs?limit=1');
  const definitions = await platformGet<{ page: { totalCount: number } }>('/data/core/ups/segment/definitions?limit=1');
  const stats = await platformGet<{ counts: { schemas: number; mixins: number } }>('/data/foundation/schemaregistry/stats');
  const mlRuns = await sim.ctx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(sim.config.dbSchema)}.ml_runs`);
  const exports = await database.db.export.count();
  return {
    ...flowService,
    queries: queries.queries.length,
    datasets: Object.keys(datasets).length,
    batches: Object.keys(batches).length,
    segmentJobs: jobs._page.totalCount,
    segmentDefinitions: definitions.page.totalCount,
    schemas: stats.counts.schemas,
    fieldGroups: stats.counts.mixins,
    mlRuns: Number(mlRuns.rows[0]?.n ?? 0),
    exports,
  };
}

before(async () => {
  database = await createTestDatabase('pipecrash');
  sim = await startSimulator({ notReadySeconds: 1, runDurationSeconds: 1, seedUsers: 300 });
  const tenant = await createProcessTenant(database.db, sim, 'pipeline-crash');
  key = tenant.key;
  const secretsKeys = tenant.secretsKeys;
  env = {
    ...fastPipelineEnv,
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `pcrash${randomBytes(5).toString('hex')}`,
    SIMULATOR_URL: sim.url,
    SECRETS_KEYS: secretsKeys,
    // Storage through the simulator's emulators, as any destination's store.
    S3_ENDPOINT_URL: sim.storage.s3.endpoint,
    GCS_ENDPOINT_URL: sim.storage.gcs.endpoint,
    ALLOW_PRIVATE_STORAGE: 'true',
    WORKER_METRICS_PORT: '0',
    // A dead worker's job is picked up again within a few seconds.
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
  };
  api = await startApiProcess(env);
  // Workers build the ML callback URL from PUBLIC_URL: the API process's address.
  env.PUBLIC_URL = api.url;
});

after(async () => {
  await api?.process.stop();
  await sim?.close();
  await database?.drop();
  if (env?.QUEUE_PREFIX) {
    const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${env.QUEUE_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

// The step each hook point belongs to, in pipeline order.
const crashPoints: [string, string][] = [
  ['featurize:after', 'features'],
  ['export:after', 'training-export'],
  ['ml:after', 'train-and-score'],
  ['ingest_registry:after', 'scores'],
  ['ingest:after', 'scores'],
  ['audience_definition:after', 'propensity-band'],
  ['audience:after', 'propensity-band'],
  ['activate_chain:after', 'activation'],
  ['activate:after', 'activation'],
];

test('SIGKILLed after the external create of every step, the pipeline completes with no duplicate object', { timeout: 360_000 }, async (t) => {
  const destination = await call<{ id: string }>('POST', '/destinations', { type: 'dlz', name: 'crash dlz', params: {} });
  assert.equal(destination.status, 201);
  const before = await platformObjects();

  const accepted = await call<PipelineView>('POST', '/pipelines', {
    name: 'crash at every step',
    steps: cmlePipelineSteps({ exportDestinationId: destination.body.id, activationDestinationId: destination.body.id, exportPath: 'crash/egress', activationPath: 'crash/audiences' }),
  });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  const id = accepted.body.id;

  for (const [point, stepName] of crashPoints) {
    const doomed = await startWorkerProcess({ ...env, CRASH_AT: point }, `worker (CRASH_AT=${point})`);
    const died = await doomed.exited();
    assert.equal(died.signal, 'SIGKILL', `${point}: ${doomed.output().slice(-3000)}`);
    const mid = (await call<PipelineView>('GET', `/pipelines/${id}`)).body;
    const step = mid.steps.find((s) => s.name === stepName);
    assert.ok(step && step.state !== 'succeeded' && mid.status !== 'failed', `${point}: ${JSON.stringify(mid.steps.map((s) => [s.name, s.state, s.error]))}`);
    t.diagnostic(`killed at ${point} while ${stepName} was ${step.state}`);
  }

  const survivor = await startWorkerProcess(env, 'worker (restarted)');
  try {
    let done: PipelineView | undefined;
    for (let i = 0; i < 600 && !(done && ['succeeded', 'failed', 'cancelled'].includes(done.status)); i++) {
      done = (await call<PipelineView>('GET', `/pipelines/${id}`)).body;
      await sleep(150);
    }
    assert.equal(done?.status, 'succeeded', `${JSON.stringify(done?.steps.map((s) => [s.name, s.state, s.error]))}\n${survivor.output().slice(-3000)}`);
    assert.ok((done.steps.find((s) => s.name === 'propensity-band')?.outputs.audienceSize as number) > 0);

    // What one run creates: a CTAS query and its dataset; the export's dataset flow (base connection
    // shared with the activation, source, target, flow, run); one ML run; the scores field group,
    // schema, dataset and batch; one segment definition and one segment job; the activation's Profile Store source, target,
    // flow, run and member snapshot dataset; and one Export row.
    const expected = {
      connections: before.connections + 1,
      sourceConnections: before.sourceConnections + 2,
      targetConnections: before.targetConnections + 2,
      flows: before.flows + 2,
      runs: before.runs + 2,
      queries: before.queries + 1,
      datasets: before.datasets + 3,
      batches: before.batches + 1,
      segmentJobs: before.segmentJobs + 1,
      segmentDefinitions: before.segmentDefinitions + 1,
      schemas: before.schemas + 1,
      fieldGroups: before.fieldGroups + 1,
      mlRuns: before.mlRuns + 1,
      exports: before.exports + 1,
    };
    assert.deepEqual(await platformObjects(), expected);
  } finally {
    await survivor.stop();
  }
});

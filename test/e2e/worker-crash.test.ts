// The worker process is SIGKILLed at a hook point around a Platform call (CRASH_AT), while the API
// and the simulator keep running; a new worker process picks the export up again. The export
// succeeds and the Platform holds exactly one object of each kind and one run: the lookup by
// deterministic name (or the adoption of an unowned run) recovers what the dead worker created
// but never saved.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createProcessTenant } from '../support/process-tenant.js';
import { startApiProcess, startWorkerProcess, type ServiceProcess } from '../support/processes.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { countAllAtPlatform, EVENTS_DATASET, fastWorkerEnv } from '../worker/helpers.js';

describe('worker killed mid-export', () => {
  let database: TestDatabase;
  let sim: TestSimulator;
  let api: { process: ServiceProcess; url: string };
  let env: Record<string, string>;
  let key: string;
  let datasetId: string;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  const waitForEnd = async (id: string, timeoutMs = 60_000): Promise<ExportView> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await call<ExportView>('GET', `/exports/${id}`);
      if (['succeeded', 'failed', 'timed_out', 'cancelled'].includes(body.status)) return body;
      if (Date.now() > until) assert.fail(`export ${id} still ${body.status}/${body.step}`);
      await sleep(100);
    }
  };

  before(async () => {
    database = await createTestDatabase('e2e');
    sim = await startSimulator({ notReadySeconds: 1, runDurationSeconds: 1 });
    const tenant = await createProcessTenant(database.db, sim, 'e2e');
    key = tenant.key;
    const secretsKeys = tenant.secretsKeys;
    env = {
      ...fastWorkerEnv,
      DATABASE_URL: database.url,
      QUEUE_PREFIX: `e2e${randomBytes(5).toString('hex')}`,
      SIMULATOR_URL: sim.url,
      SECRETS_KEYS: secretsKeys,
      // A dead worker's job is picked up again within a few seconds.
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
    };
    api = await startApiProcess(env);
    const datasets = await call<{ items: { id: string; name: string }[] }>('GET', '/datasets?limit=100');
    datasetId = datasets.body.items.find((d) => d.name === EVENTS_DATASET)?.id ?? assert.fail('no events dataset');
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

  for (const point of ['base_connection:after', 'source_connection:before', 'flow:after', 'trigger_run:after']) {
    test(`killed at ${point}: the restarted worker finishes with one object of each kind`, async () => {
      const [step] = point.split(':');
      const destination = await call<{ id: string }>('POST', '/destinations', { type: 'dlz', name: `crash ${point}`, params: {} });
      assert.equal(destination.status, 201);
      const before = await countAllAtPlatform(sim);

      const doomed = await startWorkerProcess({ ...env, CRASH_AT: point }, `worker (CRASH_AT=${point})`);
      const accepted = await call<ExportView>('POST', '/exports', { datasetId, destinationId: destination.body.id, path: `crash/${step}`, format: 'parquet', compression: 'gzip' });
      assert.equal(accepted.status, 202);
      const died = await doomed.exited();
      assert.equal(died.signal, 'SIGKILL', doomed.output());

      // The crash happened where it was meant to: for `after`, the Platform has the object, we do not.
      const mid = (await call<ExportView>('GET', `/exports/${accepted.body.id}`)).body;
      assert.notEqual(mid.status, 'succeeded');
      const midCounts = await countAllAtPlatform(sim);
      if (point === 'flow:after') {
        assert.equal(midCounts.flows, before.flows + 1);
        assert.equal(mid.platform.flowId, null);
      }
      if (point === 'trigger_run:after') {
        assert.equal(midCounts.runs, before.runs + 1);
        assert.equal(mid.runs[0]?.platformRunId, null);
      }
      if (point === 'base_connection:after') {
        assert.equal(midCounts.connections, before.connections + 1);
        assert.equal(mid.platform.baseConnectionId, null);
      }

      const survivor = await startWorkerProcess(env, 'worker (restarted)');
      try {
        const done = await waitForEnd(accepted.body.id);
        assert.equal(done.status, 'succeeded', `${JSON.stringify(done.error)}\n${survivor.output()}`);
        assert.deepEqual(await countAllAtPlatform(sim), {
          connections: before.connections + 1,
          sourceConnections: before.sourceConnections + 1,
          targetConnections: before.targetConnections + 1,
          flows: before.flows + 1,
          runs: before.runs + 1,
        });
        assert.equal(done.runs.length, 1);
        assert.equal(done.runs[0]?.state, 'succeeded');
      } finally {
        await survivor.stop();
      }
    });
  }
});

// Scenario 4 (R6): the service's Postgres (a private cluster) is restarted twice while exports
// are in flight: once while the worker is creating Platform objects under advisory locks, once
// while it polls runs. No process is restarted: the API and the worker reconnect by themselves,
// the worker backs off and resumes, and every export finishes (I1-I3, I5). A last test posts
// exports during a restart and retries them with their Idempotency-Key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ServiceProcess } from '../support/processes.js';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { postExports, spreadExports, type ExportSpec } from '../support/chaos/export-batch.js';
import { checkInvariants, summaryLine } from '../support/chaos/invariants.js';

const IN_FLIGHT = 40;
const AFTER_RESTARTS = 10;

describe('chaos: Postgres restarted mid-run', () => {
  let world: ChaosWorld;
  let worker: ServiceProcess;
  let specs: ExportSpec[];
  const accepted: string[] = [];
  const startedAt = Date.now();

  before(async () => {
    world = await startChaosWorld({
      label: 'pg',
      privatePostgres: true,
      // Platform latency keeps creates (and their advisory-lock transactions) open a while.
      simulator: { notReadySeconds: 1, runSeconds: 3, faults: { latencyMs: 50, latencyJitterMs: 150 } },
    });
    await world.startApi();
    worker = await world.startWorker();
    const datasets = await world.datasets();
    const destinations = [];
    for (let i = 0; i < 4; i++) destinations.push(await world.createDestination({ type: 'dlz', name: `pg ${i}`, params: {} }));
    specs = spreadExports(IN_FLIGHT, 20, destinations, [...datasets.values()]);
  });

  after(async () => {
    await world?.close();
  });

  /** Exports per step right now (empty while the database is down). */
  async function steps(): Promise<Record<string, number>> {
    const result = await world.pool.query<{ step: string; n: number }>('SELECT step, count(*)::int AS n FROM exports GROUP BY step').catch(() => ({ rows: [] }));
    return Object.fromEntries(result.rows.map((r) => [r.step, r.n]));
  }

  async function waitForStep(names: string[], timeoutMs: number): Promise<Record<string, number>> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const now = await steps();
      if (names.some((n) => (now[n] ?? 0) > 0)) return now;
      if (Date.now() > until) assert.fail(`no export reached ${names.join(' or ')}: ${JSON.stringify(now)}`);
      await sleep(50);
    }
  }

  test('the API and the worker ride through two restarts; every export finishes', async () => {
    const postgres = world.postgres ?? assert.fail('no private cluster');
    const apiPid = world.api.process.child.pid;
    const workerPid = worker.child.pid;

    const batch = await postExports(world, specs, 8);
    accepted.push(...batch.accepted);
    // First restart while connections and flows are being created, second while runs are polled.
    const firstAt = await waitForStep(['source_connection', 'target_connection', 'flow'], 30_000);
    await postgres.restart();
    const secondAt = await waitForStep(['poll_run'], 60_000);
    await postgres.restart();

    // The API answers again without a restart of its own (a request racing the restart may get a
    // 5xx; the client retries it with its key).
    const more = await postExports(world, specs.slice(0, AFTER_RESTARTS), 4);
    accepted.push(...more.accepted);
    await world.waitUntilAllTerminal(300_000);

    assert.equal(world.api.process.child.exitCode, null, 'the API process kept running');
    assert.equal(world.api.process.child.pid, apiPid);
    assert.equal(worker.child.exitCode, null, 'the worker process kept running');
    assert.equal(worker.child.pid, workerPid);

    const report = await checkInvariants(world, accepted);
    const stepList = (s: Record<string, number>): string => Object.entries(s).map(([k, v]) => `${k}:${v}`).join('/');
    console.log(
      summaryLine('postgres-restarted', report, {
        faults: `postgres-restarts=2,first-at=${stepList(firstAt)},second-at=${stepList(secondAt)},api-retries=${more.retries}`,
        seconds: Math.round((Date.now() - startedAt) / 1000),
      }),
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.succeeded, IN_FLIGHT + AFTER_RESTARTS);
  });

  test(
    'a POST in flight during a restart gets its answer when retried with its Idempotency-Key',
    async () => {
      const postgres = world.postgres ?? assert.fail('no private cluster');
      const keys = specs.slice(0, 20).map((spec) => ({ spec, key: randomUUID() }));
      const answers = new Map<string, number[]>();
      const send = async ({ spec, key }: { spec: ExportSpec; key: string }): Promise<void> => {
        const answer = await world.request<{ id?: string }>('POST', '/exports', spec, { 'idempotency-key': key }).catch(() => ({ status: 0, body: {} }));
        answers.set(key, [...(answers.get(key) ?? []), answer.status]);
      };
      const inFlight = Promise.all(keys.map(async (k, i) => (await sleep(i * 15), send(k))));
      await sleep(100);
      await postgres.restart();
      await inFlight;
      // A client retries every key that did not get its 202, for up to 15 s.
      const until = Date.now() + 15_000;
      for (;;) {
        const open = keys.filter(({ key }) => answers.get(key)?.at(-1) !== 202);
        if (open.length === 0 || Date.now() > until) break;
        await Promise.all(open.map(send));
        await sleep(1000);
      }
      const stuck = keys.filter(({ key }) => answers.get(key)?.at(-1) !== 202).map(({ key }) => answers.get(key));
      assert.deepEqual(stuck, [], 'answers per key that never got its 202');
    },
  );
});

// Scenario 3 (R4, R5): Redis dies while every export is waiting in the queue for the Platform
// (its flows are in their "not ready" window) and comes back empty: every delayed job is gone.
// Meanwhile the API keeps accepting exports it cannot enqueue. Nothing is restarted but Redis;
// the worker's sweeper re-enqueues every overdue row from Postgres and all of them finish (I5:
// accepted == rows == terminal), with I1-I3 at the end.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ServiceProcess } from '../support/processes.js';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { postExports, spreadExports } from '../support/chaos/export-batch.js';
import { checkInvariants, summaryLine } from '../support/chaos/invariants.js';

const WAITING = 40;
const DURING_OUTAGE = 10;

/** Sum of the `count`s the sweeper logged ("sweeper re-enqueued overdue exports"). */
function sweptCount(worker: ServiceProcess): number {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.includes('sweeper re-enqueued overdue exports'))
    .reduce((sum, line) => sum + ((JSON.parse(line) as { count?: number }).count ?? 0), 0);
}

describe('chaos: Redis restarted with its data wiped while exports wait', () => {
  let world: ChaosWorld;
  let worker: ServiceProcess;
  const accepted: string[] = [];
  const startedAt = Date.now();

  before(async () => {
    world = await startChaosWorld({
      label: 'redis',
      // Flows refuse runs for 30 s after creation; the worker looks again every 2.5 s.
      simulator: { notReadySeconds: 30, runSeconds: 1 },
      env: { NOT_READY_RETRY_INITIAL_MS: '2500', NOT_READY_RETRY_MAX_MS: '2500' },
    });
    await world.startApi();
    worker = await world.startWorker();
  });

  after(async () => {
    await world?.close();
  });

  test('jobs lost with Redis are re-enqueued by the sweeper; exports accepted during the outage too', async () => {
    const datasets = await world.datasets();
    const destinations = [];
    for (let i = 0; i < 4; i++) destinations.push(await world.createDestination({ type: 'dlz', name: `redis ${i}`, params: {} }));
    const batch = await postExports(world, spreadExports(WAITING, WAITING, destinations, [...datasets.values()]));
    accepted.push(...batch.accepted);

    // Wait until every export sits in the queue as a delayed job, waiting for its flow.
    const until = Date.now() + 60_000;
    for (;;) {
      const statuses = [...(await world.statuses()).values()];
      if (statuses.filter((s) => s === 'waiting_for_platform').length === WAITING) break;
      if (Date.now() > until) assert.fail(`not all exports waiting: ${JSON.stringify(statuses)}`);
      await sleep(200);
    }
    const jobsBefore = await world.pendingJobs();
    assert.ok(jobsBefore >= WAITING, `${jobsBefore} jobs in the queue`);
    const sweptBefore = sweptCount(worker);

    await world.redis.kill();
    // Redis is down: the API still accepts (the row is committed, the enqueue fails fast).
    const outage = await postExports(world, spreadExports(DURING_OUTAGE, DURING_OUTAGE, destinations, [...datasets.values()]).map((s) => ({ ...s, path: `${s.path}/outage` })), 4, 1);
    accepted.push(...outage.accepted);
    assert.deepEqual(outage.firstAnswers, { 202: DURING_OUTAGE });
    await world.redis.start();
    const jobsAfterWipe = await world.pendingJobs();
    assert.ok(jobsAfterWipe < jobsBefore, `the restarted Redis still holds ${jobsAfterWipe} jobs`);

    await world.waitUntilAllTerminal(120_000);
    const swept = sweptCount(worker) - sweptBefore;
    assert.ok(swept >= WAITING + DURING_OUTAGE, `the sweeper re-enqueued ${swept} exports`);
    assert.equal(worker.child.exitCode, null, 'the worker kept running through the Redis restart');
    assert.equal(world.api.process.child.exitCode, null, 'the API kept running through the Redis restart');

    const report = await checkInvariants(world, accepted);
    console.log(
      summaryLine('redis-wiped', report, {
        faults: `redis-killed-and-wiped=1,jobs-wiped=${jobsBefore},accepted-during-outage=${DURING_OUTAGE},re-enqueued=${swept}`,
        seconds: Math.round((Date.now() - startedAt) / 1000),
      }),
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.rows, WAITING + DURING_OUTAGE);
    assert.equal(report.succeeded, WAITING + DURING_OUTAGE);
  });
});

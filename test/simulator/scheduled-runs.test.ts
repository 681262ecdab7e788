// The simulator starts a flow's runs on its schedule, as the Platform does: at each occurrence
// (startTime + k × interval) of an enabled flow, the first export full and the next incremental;
// not while the flow is disabled (missed occurrences are not caught up on enable); not past its
// endTime, after which ad hoc runs are refused as out of schedule range; and a flow without
// endTime ends six months after creation. The clock is moved by hand; the ticker does the firing.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { sixMonthsAfter } from '../../packages/stand-ins/src/simulator/runs/flow-window.js';
import { call, createExportFlow, expectedDataset, findExport, finishRun, requestAdhocRun, RUNS_PATH, startDataSimulator, type DataSimulator } from './data-support.js';

const HOUR = 3600;
let env: DataSimulator;

before(async () => {
  // The clock moves by months here: a token that outlives them.
  env = await startDataSimulator({ runDurationSeconds: 30, notReadySeconds: 0, tokenTtlSeconds: 400 * 24 * 3600 });
});
after(() => env.sim.close());

async function flowRunIds(flowId: string): Promise<string[]> {
  const result = await call<{ items: { id: string; createdAt: number }[] }>(env.sim, 'GET', `${RUNS_PATH}?property=flowId==${flowId}&limit=100`);
  assert.equal(result.status, 200);
  return [...result.body.items].sort((a, b) => a.createdAt - b.createdAt).map((r) => r.id);
}

/** Waits (real time) until the ticker has started `count` runs of the flow. */
async function waitForRuns(flowId: string, count: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const ids = await flowRunIds(flowId);
    if (ids.length >= count) return ids;
    await sleep(100);
  }
  return flowRunIds(flowId);
}

async function schedule(flowId: string, scheduleParams: Record<string, unknown>): Promise<void> {
  const current = await call<{ items: { etag: string }[] }>(env.sim, 'GET', `/data/foundation/flowservice/flows/${flowId}`);
  const etag = current.body.items[0]?.etag ?? '';
  const patched = await call(env.sim, 'PATCH', `/data/foundation/flowservice/flows/${flowId}`, {
    headers: { 'if-match': etag },
    body: [{ op: 'replace', path: '/scheduleParams', value: scheduleParams }],
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
}

async function flowAction(flowId: string, op: 'enable' | 'disable'): Promise<void> {
  const result = await call(env.sim, 'POST', `/data/foundation/flowservice/flows/${flowId}/action?op=${op}`);
  assert.equal(result.status, 200, JSON.stringify(result.body));
}

describe('scheduled runs', () => {
  test('an enabled flow runs at each occurrence of its schedule: first full, then incremental', async () => {
    const { sim, clock } = env;
    const dataset = expectedDataset(sim, 'health-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [dataset.id], path: 'scheduled/every3h' });
    const start = Math.floor(clock.ms / 1000) + 60;
    await schedule(flowId, { interval: 3, timeUnit: 'hour', startTime: start, endTime: start + 10 * HOUR });
    await sleep(400);
    assert.deepEqual(await flowRunIds(flowId), [], 'nothing before startTime');

    clock.advanceSeconds(61);
    const [first] = await waitForRuns(flowId, 1);
    assert.ok(first);
    await finishRun(sim, clock, first);
    assert.equal((await flowRunIds(flowId)).length, 1, 'one run per occurrence');

    clock.advanceSeconds(3 * HOUR);
    const ids = await waitForRuns(flowId, 2);
    assert.equal(ids.length, 2);
    await finishRun(sim, clock, ids[1]!);
    assert.equal((await findExport(sim, 'scheduled/every3h', dataset.id, ids[0]!))?.manifest.exportMode, 'FULL');
    assert.equal((await findExport(sim, 'scheduled/every3h', dataset.id, ids[1]!))?.manifest.exportMode, 'INCREMENTAL');
  });

  test('a disabled flow does not run; enabling it resumes from the next occurrence without catching up', async () => {
    const { sim, clock } = env;
    const dataset = expectedDataset(sim, 'health-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [dataset.id], path: 'scheduled/paused' });
    const start = Math.floor(clock.ms / 1000) + 60;
    await schedule(flowId, { interval: 3, timeUnit: 'hour', startTime: start, endTime: start + 100 * HOUR });
    await flowAction(flowId, 'disable');
    clock.advanceSeconds(61 + 7 * HOUR);
    await sleep(1500);
    assert.deepEqual(await flowRunIds(flowId), [], 'no run while disabled');

    await flowAction(flowId, 'enable');
    await sleep(1500);
    assert.deepEqual(await flowRunIds(flowId), [], 'missed occurrences are not caught up');
    clock.advanceSeconds(3 * HOUR);
    assert.equal((await waitForRuns(flowId, 1)).length, 1);
  });

  test('a flow past its endTime neither runs nor accepts ad hoc runs', async () => {
    const { sim, clock } = env;
    const dataset = expectedDataset(sim, 'health-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [dataset.id], path: 'scheduled/ended' });
    const now = Math.floor(clock.ms / 1000);
    await schedule(flowId, { interval: 3, timeUnit: 'hour', startTime: now + 60, endTime: now + 120 });
    clock.advanceSeconds(3 * HOUR + 200);
    await sleep(1500);
    assert.deepEqual(await flowRunIds(flowId), [], 'the occurrence after endTime does not fire');
    const refused = await requestAdhocRun(sim, flowId, [dataset.id]);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /out of schedule range/);
  });

  test('a flow created without endTime ends six months after creation', async () => {
    const { sim, clock } = env;
    const dataset = expectedDataset(sim, 'health-events');
    const createdAt = clock.ms;
    const flowId = await createExportFlow(sim, clock, { datasetIds: [dataset.id], path: 'scheduled/six-months' });
    clock.ms = sixMonthsAfter(createdAt) - 60_000;
    const accepted = await requestAdhocRun(sim, flowId, [dataset.id]);
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    clock.ms = sixMonthsAfter(createdAt) + 60_000;
    const refused = await requestAdhocRun(sim, flowId, [dataset.id]);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /out of schedule range/);
  });
});

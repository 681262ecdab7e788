// Waiting on the Platform without holding a worker: the "not ready, wait 10 minutes" answer after
// a flow is created keeps the export `waiting_for_platform` until the window has passed; IMS
// tokens that expire during an export are replaced; a run past the export's deadline ends
// `timed_out`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDestination, createExport, datasetIdByName, EVENTS_DATASET, startWorld, waitForExport, type World } from './helpers.js';

describe('the not-ready window and expiring tokens', () => {
  const notReadySeconds = 3;
  const tokenTtlSeconds = 1;
  let world: World;
  let datasetId: string;
  let destinationId: string;
  before(async () => {
    world = await startWorld({ simulator: { notReadySeconds, tokenTtlSeconds } });
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
  });
  after(() => world.close());

  test('the export waits out the not-ready window, then its run succeeds', async () => {
    const { api, sim } = world;
    const accepted = await createExport(api, { datasetId, destinationId, path: 'waits/not-ready' });
    const waiting = await waitForExport(api, accepted.id, (e) => e.status === 'waiting_for_platform' || e.status === 'succeeded' || e.status === 'failed');
    assert.equal(waiting.status, 'waiting_for_platform');
    assert.equal(waiting.step, 'trigger_run');
    assert.ok(waiting.platform.flowId, 'the flow exists while the export waits for it to be ready');

    const done = await waitForExport(api, accepted.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    // The run the Platform accepted started no earlier than the window after the flow's creation.
    const flow = await fetch(`${sim.url}/data/foundation/flowservice/flows/${done.platform.flowId}`, { headers: await sim.headers() });
    const createdAt = ((await flow.json()) as { items: { createdAt: number }[] }).items[0]!.createdAt;
    const runResponse = await fetch(`${sim.url}/data/foundation/flowservice/runs/${done.runs[0]!.platformRunId}`, { headers: await sim.headers() });
    const runCreatedAt = ((await runResponse.json()) as { items: { createdAt: number }[] }).items[0]!.createdAt;
    assert.ok(runCreatedAt - createdAt >= notReadySeconds * 1000, `run started ${runCreatedAt - createdAt} ms after the flow`);
  });

  test('tokens that expire during the export are replaced and the export succeeds', async () => {
    const { api, sim } = world;
    const countTokens = async () =>
      Number((await sim.ctx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${sim.ctx.schema}".ims_tokens`)).rows[0]?.n);
    const before = await countTokens();
    const accepted = await createExport(api, { datasetId, destinationId, path: 'waits/tokens' });
    const done = await waitForExport(api, accepted.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));

    const took = new Date(done.finishedAt!).getTime() - new Date(accepted.createdAt).getTime();
    const issued = (await countTokens()) - before;
    // The export outlived several token lifetimes; each lapsed token was replaced, none reused.
    assert.ok(took > 2 * tokenTtlSeconds * 1000, `the export took only ${took} ms`);
    assert.ok(issued >= 2, `only ${issued} tokens issued during the export`);
  });
});

describe('the run deadline', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ simulator: { runDurationSeconds: 120 }, env: { RUN_DEADLINE_SECONDS: '3' } });
  });
  after(() => world.close());

  test('a run still in progress at the deadline ends timed_out', async () => {
    const { api } = world;
    const datasetId = await datasetIdByName(api, EVENTS_DATASET);
    const destinationId = await createDestination(api, 'dlz');
    const accepted = await createExport(api, { datasetId, destinationId, path: 'waits/deadline' });
    const done = await waitForExport(api, accepted.id);

    assert.equal(done.status, 'timed_out');
    assert.equal(done.error?.code, 'run_timed_out');
    assert.equal(done.runs[0]?.state, 'timed_out');
    assert.ok(done.runs[0]?.platformRunId, 'the run had started at the Platform');
    assert.ok(new Date(done.finishedAt!).getTime() >= new Date(accepted.createdAt).getTime() + 3000);
  });
});

// Cancelling disables the flow at the Platform (unless another active export still uses it) and
// ends the open run; asking for another run on a finished export runs the same flow again; a
// recurring export gets its own flow on its schedule.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bodyOf } from '../support/api.js';
import type { ExportView } from '../../src/exports/export-schemas.js';
import {
  countAllAtPlatform,
  createDestination,
  createExport,
  datasetIdByName,
  EVENTS_DATASET,
  flowAtPlatform,
  startWorld,
  waitForExport,
  type World,
} from './helpers.js';

const runningAtPlatform = (e: ExportView) => e.step === 'poll_run' || ['succeeded', 'failed', 'timed_out'].includes(e.status);
const cleanedUp = (e: ExportView) => e.step === 'cancelled';

describe('cancel', () => {
  let world: World;
  let datasetId: string;
  let destinationId: string;
  before(async () => {
    // Runs take long enough to cancel one in the middle.
    world = await startWorld({ simulator: { runDurationSeconds: 60 } });
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
  });
  after(() => world.close());

  test('cancelling a running export disables its flow and ends its run', async () => {
    const { api, sim } = world;
    const accepted = await createExport(api, { datasetId, destinationId, path: 'cancel/alone' });
    const running = await waitForExport(api, accepted.id, runningAtPlatform);
    assert.equal(running.step, 'poll_run');
    assert.equal((await flowAtPlatform(sim, running.platform.flowId!)).state, 'enabled');

    const response = await api.post(api.keys.tenantA, `/exports/${accepted.id}/cancel`);
    assert.equal(response.statusCode, 202, response.body);
    const done = await waitForExport(api, accepted.id, cleanedUp);

    assert.equal(done.status, 'cancelled');
    assert.equal(done.runs[0]?.state, 'cancelled');
    assert.equal((await flowAtPlatform(sim, running.platform.flowId!)).state, 'disabled');
  });

  test('a flow another active export still uses stays enabled until the last one is cancelled', async () => {
    const { api, sim } = world;
    const first = await createExport(api, { datasetId, destinationId, path: 'cancel/shared' });
    const firstRunning = await waitForExport(api, first.id, runningAtPlatform);
    // The second export of the same binding waits while the first one's run goes on.
    const second = await createExport(api, { datasetId, destinationId, path: 'cancel/shared' });
    await waitForExport(api, second.id, (e) => e.platform.flowId !== null);
    const flowId = firstRunning.platform.flowId!;

    assert.equal((await api.post(api.keys.tenantA, `/exports/${first.id}/cancel`)).statusCode, 202);
    await waitForExport(api, first.id, cleanedUp);
    assert.equal((await flowAtPlatform(sim, flowId)).state, 'enabled');

    assert.equal((await api.post(api.keys.tenantA, `/exports/${second.id}/cancel`)).statusCode, 202);
    const secondDone = await waitForExport(api, second.id, cleanedUp);
    assert.equal(secondDone.status, 'cancelled');
    assert.equal((await flowAtPlatform(sim, flowId)).state, 'disabled');
  });
});

describe('re-runs and recurring exports', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  test('POST /exports/:id/runs runs the same flow again and records a second run', async () => {
    const { api, sim } = world;
    const datasetId = await datasetIdByName(api, EVENTS_DATASET);
    const destinationId = await createDestination(api, 'dlz');
    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'rerun/a' })).id);
    assert.equal(first.status, 'succeeded');
    const before = await countAllAtPlatform(sim);
    await sim.appendRows(datasetId);

    const response = await api.post(api.keys.tenantA, `/exports/${first.id}/runs`);
    assert.equal(response.statusCode < 300, true, response.body);
    assert.equal(bodyOf<ExportView>(response).status, 'queued');
    const again = await waitForExport(api, first.id, (e) => e.runs.length === 2 && ['succeeded', 'failed'].includes(e.status));

    assert.equal(again.status, 'succeeded', JSON.stringify(again.error));
    assert.deepEqual(again.runs.map((r) => r.state), ['succeeded', 'succeeded']);
    assert.deepEqual(again.platform, first.platform);
    assert.deepEqual(await countAllAtPlatform(sim), { ...before, runs: before.runs + 1 });
  });

  test('a rerun with nothing new ends with the Platform\'s "already exported" answer in plain words, not a 0-file success', async () => {
    const { api, sim } = world;
    const datasetId = await datasetIdByName(api, EVENTS_DATASET);
    const destinationId = await createDestination(api, 'dlz');
    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'rerun/nothing-new' })).id);
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    const before = await countAllAtPlatform(sim);

    const response = await api.post(api.keys.tenantA, `/exports/${first.id}/runs`);
    assert.equal(response.statusCode < 300, true, response.body);
    const again = await waitForExport(api, first.id, (e) => e.runs.length === 2 && ['succeeded', 'failed'].includes(e.status));

    const rerun = again.runs[1];
    assert.equal(rerun?.state, 'failed');
    assert.equal(rerun.files, null, 'no run at the Platform, so no file count');
    assert.equal(rerun.errors[0]?.code, 'already_exported');
    assert.match(rerun.errors[0]?.message ?? '', /already exported through this flow and has no new data since/);
    assert.match(rerun.errors[0]?.message ?? '', /run already exists/i, "the Platform's own words are kept");
    assert.equal(again.status, 'failed');
    assert.equal(again.error?.code, 'already_exported');
    assert.deepEqual(await countAllAtPlatform(sim), before, 'the Platform started no run');
  });

  test('a recurring export gets its own flow on its schedule; cancelling it disables that flow', async () => {
    const { api, sim } = world;
    const datasetId = await datasetIdByName(api, EVENTS_DATASET);
    const destinationId = await createDestination(api, 'dlz');
    const onDemand = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'recurring/a' })).id);
    const startAt = new Date(Date.now() + 3600_000).toISOString();
    const response = await api.post(api.keys.tenantA, '/exports', {
      datasetId,
      destinationId,
      path: 'recurring/a',
      format: 'parquet',
      compression: 'gzip',
      schedule: { every: 'PT6H', startAt },
    });
    assert.equal(response.statusCode, 202, response.body);
    const recurring = await waitForExport(api, bodyOf<ExportView>(response).id, (e) => ['active', 'failed', 'cancelled'].includes(e.status));

    assert.equal(recurring.status, 'active', JSON.stringify(recurring.error));
    assert.equal(recurring.step, 'watch_runs');
    assert.equal(recurring.nextRunAt, new Date(startAt).toISOString(), 'its first run is at startAt');
    assert.equal(recurring.runs.length, 0, 'the Platform runs it on its schedule, no ad hoc run');
    assert.notEqual(recurring.platform.flowId, onDemand.platform.flowId);
    const flowResponse = await fetch(`${sim.url}/data/foundation/flowservice/flows/${recurring.platform.flowId}`, { headers: await sim.headers() });
    const flow = ((await flowResponse.json()) as { items: { state: string; scheduleParams: { interval: number; timeUnit: string; startTime: number } }[] }).items[0]!;
    assert.deepEqual(
      { interval: flow.scheduleParams.interval, timeUnit: flow.scheduleParams.timeUnit, startTime: flow.scheduleParams.startTime },
      { interval: 6, timeUnit: 'hour', startTime: Math.floor(new Date(startAt).getTime() / 1000) },
    );
    assert.equal(flow.state, 'enabled');

    assert.equal((await api.post(api.keys.tenantA, `/exports/${recurring.id}/cancel`)).statusCode, 202);
    await waitForExport(api, recurring.id, cleanedUp);
    assert.equal((await flowAtPlatform(sim, recurring.platform.flowId!)).state, 'disabled');
    assert.equal((await flowAtPlatform(sim, onDemand.platform.flowId!)).state, 'enabled', 'the on-demand flow is not touched');
  });
});

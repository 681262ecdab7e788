// "IfNotExists" done at the Platform, not in a local file: a second export of the same dataset to
// the same destination, path, format and compression creates no Platform object and exactly one
// run; the reused flow is verified (re-enabled when disabled, recreated when the Platform lost
// it); and a database that forgot the ids finds the objects again by their names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  countAllAtPlatform,
  countAtPlatform,
  createDestination,
  createExport,
  datasetIdByName,
  EVENTS_DATASET,
  bodylessHeaders,
  flowAtPlatform,
  startWorld,
  waitForExport,
  type World,
} from './helpers.js';

describe('reusing Platform objects', () => {
  let world: World;
  let datasetId: string;
  let destinationId: string;
  before(async () => {
    world = await startWorld();
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
  });
  after(() => world.close());

  test('a second export of the same dataset and destination creates no object and one run', async () => {
    const { api, sim } = world;
    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/a' })).id);
    assert.equal(first.status, 'succeeded');
    const before = await countAllAtPlatform(sim);
    await sim.appendRows(datasetId);

    const second = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/a' })).id);
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    const afterCounts = await countAllAtPlatform(sim);

    assert.deepEqual(second.platform, first.platform);
    assert.deepEqual(afterCounts, { ...before, runs: before.runs + 1 });
    assert.equal(await countAtPlatform(sim, 'runs', [`flowId==${first.platform.flowId}`]), 2);
    assert.notEqual(second.runs[0]?.platformRunId, first.runs[0]?.platformRunId);
  });

  test('another path shares the base connection but gets its own chain', async () => {
    const { api, sim } = world;
    const before = await countAllAtPlatform(sim);
    const done = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/b' })).id);
    assert.equal(done.status, 'succeeded');
    const afterCounts = await countAllAtPlatform(sim);
    assert.deepEqual(afterCounts, {
      connections: before.connections,
      sourceConnections: before.sourceConnections + 1,
      targetConnections: before.targetConnections + 1,
      flows: before.flows + 1,
      runs: before.runs + 1,
    });
  });

  test('a flow disabled at the Platform is enabled again before the run', async () => {
    const { api, sim } = world;
    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/disabled' })).id);
    const flowId = first.platform.flowId!;
    const disable = await fetch(`${sim.url}/data/foundation/flowservice/flows/${flowId}/action?op=disable`, {
      method: 'POST',
      headers: await bodylessHeaders(sim),
    });
    assert.equal(disable.status, 200, await disable.text());
    assert.equal((await flowAtPlatform(sim, flowId)).state, 'disabled');

    await world.sim.appendRows(datasetId);
    const second = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/disabled' })).id);
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.equal(second.platform.flowId, flowId);
    assert.equal((await flowAtPlatform(sim, flowId)).state, 'enabled');
  });

  test('a flow the Platform lost is recreated, and only the flow', async () => {
    const { api, sim } = world;
    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/lost' })).id);
    const lost = first.platform.flowId!;
    const deleted = await fetch(`${sim.url}/data/foundation/flowservice/flows/${lost}`, { method: 'DELETE', headers: await bodylessHeaders(sim) });
    assert.equal(deleted.status, 202, await deleted.text());
    const before = await countAllAtPlatform(sim);

    const second = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/lost' })).id);
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.notEqual(second.platform.flowId, lost);
    assert.equal(second.platform.sourceConnectionId, first.platform.sourceConnectionId);
    assert.deepEqual(await countAllAtPlatform(sim), { ...before, flows: before.flows + 1, runs: before.runs + 1 });
  });

  test('a database that forgot every Platform id finds the objects by name (no duplicates)', async () => {
    const { api, sim } = world;
    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/restored' })).id);
    // As if restored from a backup taken before the objects were created.
    await api.database.db.flowBinding.updateMany({ data: { sourceConnectionId: null, targetConnectionId: null, flowId: null } });
    await api.database.db.destination.updateMany({ data: { baseConnectionId: null } });
    const before = await countAllAtPlatform(sim);

    await world.sim.appendRows(datasetId);
    const second = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'reuse/restored' })).id);
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.deepEqual(second.platform, first.platform);
    assert.deepEqual(await countAllAtPlatform(sim), { ...before, runs: before.runs + 1 });
  });
});

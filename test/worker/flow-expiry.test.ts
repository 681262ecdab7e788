// The parked flow of on-demand exports carries an end a day after its (year-out) start; the worker
// pushes both out again before either comes near, so ad hoc runs keep working. A flow that did end
// at the Platform (e.g. an end date the Platform imposed) refuses ad hoc runs as out of schedule
// range; the worker notices on the next run and brings the same flow back: no second flow.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { bodyOf } from '../support/api.js';
import { countAtPlatform, createDestination, createExport, datasetIdByName, EVENTS_DATASET, flowAtPlatform, setFlowWindowAtPlatform, startWorld, waitForExport, type World } from './helpers.js';

const DAY = 24 * 3600;
let world: World;

before(async () => {
  // New rows land before each ad hoc run, so a rerun has something to export (else the Platform
  // answers "run already exists").
  world = await startWorld({ simulator: { liveIngestionRows: 1 } });
});
after(() => world.close());

async function runAgain(id: string, runs: number): Promise<ExportView> {
  const response = await world.api.post(world.api.keys.tenantA, `/exports/${id}/runs`);
  assert.ok(response.statusCode < 300, response.body);
  return waitForExport(world.api, id, (e) => e.runs.length === runs && ['succeeded', 'failed', 'timed_out'].includes(e.status), 60_000);
}

test('a parked flow about to end is pushed out and ad hoc runs keep working; an ended one is recovered without a duplicate flow', async () => {
  const { api, sim } = world;
  const datasetId = await datasetIdByName(api, EVENTS_DATASET);
  const destinationId = await createDestination(api, 'dlz');
  const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'expiry/a' })).id);
  assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
  const flowId = first.platform.flowId!;
  const parked = await flowAtPlatform(world.sim, flowId);
  assert.ok(parked.scheduleParams.endTime !== undefined && parked.scheduleParams.endTime > parked.scheduleParams.startTime, 'the parked flow carries an end');
  const flows = await countAtPlatform(sim, 'flows');

  // About to end: a day left.
  const now = Math.floor(Date.now() / 1000);
  await setFlowWindowAtPlatform(world.sim, flowId, now - 3600, now + DAY);
  const second = await runAgain(first.id, 2);
  assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
  assert.equal(second.platform.flowId, flowId);
  assert.ok((await flowAtPlatform(world.sim, flowId)).scheduleParams.endTime! > now + 300 * DAY, 'the end was pushed out');

  // Ended (fault): the Platform refuses ad hoc runs on it.
  await setFlowWindowAtPlatform(world.sim, flowId, now - 7200, now - 3600);
  const refused = await fetch(`${sim.url}/data/core/activation/disflowprovider/adhocrun`, {
    method: 'POST',
    headers: await sim.headers({ accept: 'application/vnd.adobe.adhoc.dataset.activation+json; version=1' }),
    body: JSON.stringify({ activationInfo: { destinations: [{ flowId, datasets: [{ id: datasetId }] }] } }),
  });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /out of schedule range/);

  const third = await runAgain(first.id, 3);
  assert.equal(third.status, 'succeeded', JSON.stringify(third.error));
  assert.equal(third.platform.flowId, flowId, 'the same flow, brought back');
  assert.deepEqual(
    third.runs.map((r) => r.state),
    ['succeeded', 'succeeded', 'succeeded'],
  );
  assert.equal(await countAtPlatform(sim, 'flows'), flows, 'no duplicate flow');
  assert.ok((await flowAtPlatform(world.sim, flowId)).scheduleParams.endTime! > now + 300 * DAY);
  assert.equal(bodyOf<ExportView>(await api.get(api.keys.tenantA, `/exports/${first.id}`)).nextRunAt, null, 'an on-demand export has no next run');
});

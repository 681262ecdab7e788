// The Platform misbehaving, through the simulator's fault injection over HTTP: a run that fails
// ends the export `failed` with the Platform's own code and message; 429 with Retry-After, 5xx
// and creates whose answer is lost are retried without making a second object or run.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  countAllAtPlatform,
  countAtPlatform,
  createDestination,
  createExport,
  datasetIdByName,
  EVENTS_DATASET,
  startWorld,
  waitForExport,
  type World,
} from './helpers.js';

const FLOW_SERVICE = '/data/foundation/flowservice';
const ADHOC_RUN = '/data/core/activation/disflowprovider/adhocrun';

describe('Platform faults during an export', () => {
  let world: World;
  let datasetId: string;
  let destinationId: string;
  before(async () => {
    world = await startWorld();
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
  });
  afterEach(() => world.sim.setFaults({}));
  after(() => world.close());

  test('a run that fails at the Platform ends failed with the Platform code and message', async () => {
    const { api, sim } = world;
    await sim.setFaults({ failNextRuns: 1 });
    const done = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'faults/run-failed' })).id);

    assert.equal(done.status, 'failed');
    const run = done.runs[0]!;
    assert.equal(run.state, 'failed');
    // What the Platform itself says about the run, read through Flow Service.
    const response = await fetch(`${sim.url}${FLOW_SERVICE}/runs/${run.platformRunId}`, { headers: await sim.headers() });
    const platformRun = ((await response.json()) as { items: { metrics: { statusSummary: { status: string; errors: { code: string; message: string }[] } } }[] }).items[0]!;
    const platformError = platformRun.metrics.statusSummary.errors[0]!;
    assert.equal(platformRun.metrics.statusSummary.status.toLowerCase(), 'failed');

    assert.equal(done.error?.code, 'platform_run_failed');
    assert.equal(done.error?.step, 'poll_run');
    assert.equal(done.error?.platformCode, platformError.code);
    assert.equal(done.error?.platformMessage, platformError.message);
    assert.ok(done.error?.message.includes(platformError.code), done.error?.message);
    assert.deepEqual(run.errors, [{ code: platformError.code, message: platformError.message }]);
  });

  test('429 with Retry-After on the ad hoc run: every retry waits at least Retry-After, one run', async () => {
    const { api, sim } = world;
    // As many rejections as the client's own attempts (4): it waits Retry-After between them, then
    // gives up and the job re-schedules itself, again no sooner than Retry-After, before the run
    // starts. That is `rejections` waits between accepting the export and the successful attempt.
    const rejections = 4;
    const retryAfterSeconds = 1;
    await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: ADHOC_RUN }, effect: 'rateLimit', count: rejections, retryAfterSeconds }] });
    const accepted = await createExport(api, { datasetId, destinationId, path: 'faults/rate-limited' });
    const done = await waitForExport(api, accepted.id);

    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    const left = await fetch(`${sim.url}/simulator/admin/faults`).then((r) => r.json() as Promise<{ rules: { count?: number }[] }>);
    assert.equal(left.rules[0]?.count, 0, 'every 429 was answered');
    const run = done.runs[0]!;
    const waited = new Date(run.startedAt!).getTime() - new Date(accepted.createdAt).getTime();
    assert.ok(waited >= rejections * retryAfterSeconds * 1000, `only ${waited} ms between accept and the accepted attempt`);
    assert.equal(await countAtPlatform(sim, 'runs', [`flowId==${done.platform.flowId}`]), 1);
  });

  test('5xx on creates and reads are retried; the export succeeds with one object of each kind', async () => {
    const { api, sim } = world;
    const before = await countAllAtPlatform(sim);
    await sim.setFaults({ rules: [{ match: { pathPrefix: FLOW_SERVICE }, effect: 'error5xx', status: 503, rate: 0.3 }], seed: 7 });
    const done = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'faults/flaky' })).id);
    await sim.setFaults({});

    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(await countAllAtPlatform(sim), {
      connections: before.connections,
      sourceConnections: before.sourceConnections + 1,
      targetConnections: before.targetConnections + 1,
      flows: before.flows + 1,
      runs: before.runs + 1,
    });
  });

  for (const [what, pathPrefix] of [
    ['source connection', `${FLOW_SERVICE}/sourceConnections`],
    ['target connection', `${FLOW_SERVICE}/targetConnections`],
    ['flow', `${FLOW_SERVICE}/flows`],
    ['ad hoc run', ADHOC_RUN],
  ] as const) {
    test(`the ${what} create whose answer is lost is found again, not made twice`, async () => {
      const { api, sim } = world;
      const before = await countAllAtPlatform(sim);
      await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix }, effect: 'dropResponse', count: 1 }] });
      const path = `faults/dropped-${what.replaceAll(' ', '-')}`;
      const done = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path })).id);

      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      const left = await fetch(`${sim.url}/simulator/admin/faults`).then((r) => r.json() as Promise<{ rules: { count?: number }[] }>);
      assert.equal(left.rules[0]?.count, 0, 'the dropped answer happened');
      assert.deepEqual(await countAllAtPlatform(sim), {
        connections: before.connections,
        sourceConnections: before.sourceConnections + 1,
        targetConnections: before.targetConnections + 1,
        flows: before.flows + 1,
        runs: before.runs + 1,
      });
    });
  }
});

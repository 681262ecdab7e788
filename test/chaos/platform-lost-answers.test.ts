// Scenario 2 (R2): the Platform applies every create (base, source and target connection, flow,
// ad hoc run) but the answer never arrives: first the connection is dropped after the create,
// then the answer is held past the client's timeout. The worker must find what it created by
// name (or adopt the run it started) instead of creating a second one. Ends with I1-I3 and I5,
// then shows the invariant check itself catches a duplicate.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DATA_LAKE_SOURCE_SPEC_ID } from '../../src/platform/spec-ids.js';
import type { FaultConfig, FaultRule } from '../../packages/stand-ins/src/simulator/faults/fault-config.js';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { checkInvariants, summaryLine } from '../support/chaos/invariants.js';
import { emulatorDestinationBodies, prepareCustomerStores, type EmulatorDestinationType } from '../support/emulator-destinations.js';

/** Every POST that creates something at the Platform during an export. */
const createPaths = [
  '/data/foundation/flowservice/connections',
  '/data/foundation/flowservice/sourceConnections',
  '/data/foundation/flowservice/targetConnections',
  '/data/foundation/flowservice/flows',
  '/data/core/activation/disflowprovider/adhocrun',
];

/** How many times the rules of a config fired so far (their counts went down from `count`). */
function fired(config: FaultConfig, count: number): number {
  return config.rules.reduce((sum, rule: FaultRule) => sum + (count - (rule.count ?? count)), 0);
}

describe('chaos: the Platform applies creates but the answers are lost', () => {
  let world: ChaosWorld;
  let datasetId: string;
  const accepted: string[] = [];
  const faultsFired: Record<string, number> = {};
  const startedAt = Date.now();

  before(async () => {
    // The client gives up on a held answer after 1.5 s.
    world = await startChaosWorld({ label: 'lost', simulator: { notReadySeconds: 1, runSeconds: 1 }, env: { PLATFORM_TIMEOUT_MS: '1500' } });
    await world.startApi();
    await world.startWorker();
    datasetId = (await world.datasets()).get('CMLE Synthetic Experience Events') ?? assert.fail('events dataset missing');
    // The runs land in the simulator's storage emulators, so the customer's buckets must exist.
    await prepareCustomerStores(world.sim);
  });

  after(async () => {
    await world?.close();
  });

  /** One export per destination (so each makes every kind of object once), all under `effect`. */
  async function exportsUnder(effect: 'dropResponse' | 'timeout', types: EmulatorDestinationType[]): Promise<void> {
    await world.sim.setFaults({
      rules: createPaths.map((pathPrefix) => ({ match: { method: 'POST', pathPrefix }, effect, count: types.length, holdMs: 4000 })),
    });
    for (const [i, type] of types.entries()) {
      const destinationId = await world.createDestination({ ...emulatorDestinationBodies(world.sim)[type], name: `${effect} ${i} ${type}` });
      const answer = await world.request<{ id: string }>('POST', '/exports', { datasetId, destinationId, path: `lost/${effect}/${i}`, format: 'parquet', compression: 'gzip' });
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      accepted.push(answer.body.id);
    }
    await world.waitUntilAllTerminal(90_000);
    const config = await world.sim.faults();
    faultsFired[effect] = fired(config, types.length);
    await world.sim.setFaults({});
    // Every create of every export lost its answer: five kinds per export.
    assert.equal(faultsFired[effect], createPaths.length * types.length, JSON.stringify(config.rules));
  }

  test('every create applied, its connection dropped before the answer', async () => {
    await exportsUnder('dropResponse', ['dlz', 's3', 'azure-blob', 'gcs']);
  });

  test('every create applied, its answer held past the client timeout', async () => {
    await exportsUnder('timeout', ['dlz', 'sftp', 'azure-blob', 's3']);
  });

  test('invariants: all succeeded, no second object of any kind, our ids are the Platform ids', async () => {
    const report = await checkInvariants(world, accepted);
    const faults = `dropResponse=${faultsFired.dropResponse ?? 0},timeout=${faultsFired.timeout ?? 0}`;
    console.log(summaryLine('platform-lost-answers', report, { faults, seconds: Math.round((Date.now() - startedAt) / 1000) }));
    assert.deepEqual(report.problems, []);
    assert.equal(report.succeeded, 8);
    assert.deepEqual(report.platform, { connections: 8, sourceConnections: 8, targetConnections: 8, flows: 8, runs: 8 });
  });

  test('the invariant check is not vacuous: a second source connection with one of our names is a duplicate', async () => {
    const [source] = await world.platform.list('sourceConnections');
    assert.ok(source?.name);
    const created = await world.platform.call('POST', '/data/foundation/flowservice/sourceConnections', {
      name: source.name,
      connectionSpec: { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' },
      params: { datasets: [{ dataSetId: datasetId }] },
    });
    assert.equal(created.status, 201, await created.text());
    const report = await checkInvariants(world, accepted);
    assert.equal(report.duplicated, 1, JSON.stringify(report.problems));
    assert.equal(report.lost + report.leaked + report.mismatched, 0);
  });
});

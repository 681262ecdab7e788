// Scenario 6 (R7): 1,000 exports while the Platform fails 20 % of all calls with a 5xx (creates
// included, IMS included), adds 10-100 ms to every call and holds 1 % of the answers for 2 s
// (latency spikes). The exports spread over 100 bindings (5 destinations x 4 datasets x 3
// formats), so ten exports share each flow and the flows are distinct. Every export succeeds,
// exactly one object of each kind exists per binding and one run per export (I1-I3, I5), and
// the test prints how long it took.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { postExports, spreadExports } from '../support/chaos/export-batch.js';
import { checkInvariants, summaryLine } from '../support/chaos/invariants.js';
import { emulatorDestinationBodies, prepareCustomerStores } from '../support/emulator-destinations.js';

/** 1,000 by default; CHAOS_EXPORTS lowers it for a shorter run. */
const EXPORTS = Number(process.env.CHAOS_EXPORTS ?? 1000);
const BINDINGS = 100;
const faults = {
  latencyMs: 10,
  latencyJitterMs: 90,
  rules: [
    { effect: 'error5xx' as const, rate: 0.2 },
    { effect: 'timeout' as const, rate: 0.01, holdMs: 2000 },
  ],
  seed: 20261123,
};

describe(`chaos: ${EXPORTS.toLocaleString('en')} exports with 20 % Platform 5xx and latency spikes`, () => {
  let world: ChaosWorld;

  before(async () => {
    world = await startChaosWorld({
      label: 'thousand',
      // Runs finish as soon as they are looked at; flows are ready at once.
      simulator: { notReadySeconds: 0, runSeconds: 0 },
      allowSensitiveLabels: true,
    });
    await world.startApi();
  });

  after(async () => {
    await world?.close();
  });

  test('all succeed, exactly one object of each kind per binding and one run per export', async () => {
    const datasets = [...(await world.datasets()).values()];
    assert.equal(datasets.length, 4, 'events, profiles and the two sensitive datasets');
    // The runs land in the simulator's storage emulators, so the customer's buckets must exist.
    await prepareCustomerStores(world.sim);
    const bodies = emulatorDestinationBodies(world.sim);
    const destinations = [
      await world.createDestination({ ...bodies.dlz, name: 'thousand dlz 1' }),
      await world.createDestination({ ...bodies.dlz, name: 'thousand dlz 2' }),
      await world.createDestination({ ...bodies.s3, name: 'thousand s3' }),
      await world.createDestination({ ...bodies.gcs, name: 'thousand gcs' }),
      await world.createDestination({ ...bodies['azure-blob'], name: 'thousand blob' }),
    ];
    await world.sim.setFaults(faults);
    const worker = await world.startWorker();

    const startedAt = Date.now();
    const batch = await postExports(world, spreadExports(EXPORTS, BINDINGS, destinations, datasets), 16);
    const acceptedAfterMs = Date.now() - startedAt;
    assert.equal(batch.accepted.length, EXPORTS);
    await world.waitUntilAllTerminal(600_000);
    const durationMs = Date.now() - startedAt;

    const injected = faultLines(world.sim.process.output());
    await world.sim.setFaults({});
    const report = await checkInvariants(world, batch.accepted);
    console.log(
      summaryLine('thousand-exports-under-faults', report, {
        faults: `error5xx-rate=0.2,held-2s-rate=0.01,latency=10-100ms,injected-5xx=${injected.error5xx},injected-held=${injected.timeout}`,
        'api-first-answers': JSON.stringify(batch.firstAnswers).replaceAll('"', ''),
        'api-retries': batch.retries,
        'platform-retries-logged': worker.output().split('\n').filter((l) => l.includes('platform call failed')).length,
        'accepted-in-s': Math.round(acceptedAfterMs / 1000),
        seconds: Math.round(durationMs / 1000),
      }),
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.succeeded, EXPORTS);
    assert.deepEqual(report.platform, { connections: 5, sourceConnections: BINDINGS, targetConnections: BINDINGS, flows: BINDINGS, runs: EXPORTS });
    assert.ok(injected.error5xx > EXPORTS, `only ${injected.error5xx} 5xx injected`);
  });
});

/** How many faults of each effect the simulator logged ("simulator fault injected"). */
function faultLines(output: string): { error5xx: number; timeout: number } {
  const counts = { error5xx: 0, timeout: 0 };
  for (const line of output.split('\n')) {
    if (!line.includes('simulator fault injected')) continue;
    if (line.includes('"fault":"error5xx"')) counts.error5xx++;
    else if (line.includes('"fault":"timeout"')) counts.timeout++;
  }
  return counts;
}

// Scenario 1 (R1): the worker process is SIGKILLed at every hook point it has around a Platform
// call, before the call and after it returned but before its id was saved. One export walks
// through several crash points in a row (each one a new doomed worker process picking up the job
// the previous one died with), then a clean worker finishes it. At every hop the test checks the
// crash happened where it was meant to; at the end, I1-I3 and I5.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { checkInvariants, summaryLine } from '../support/chaos/invariants.js';
import type { PlatformKind } from '../support/chaos/platform-view.js';

/** The worker's hook points (src/jobs/find-or-create.ts; src/exports/worker: trigger-run.ts, verify-flow.ts). */
type CrashStep = 'base_connection' | 'source_connection' | 'target_connection' | 'flow' | 'trigger_run' | 'verify_flow';
type CrashPoint = `${CrashStep}:${'before' | 'after'}`;

/** Where each step's Platform object shows up, and where we save its id. */
const kindOf: Record<Exclude<CrashStep, 'verify_flow'>, PlatformKind> = {
  base_connection: 'connections',
  source_connection: 'sourceConnections',
  target_connection: 'targetConnections',
  flow: 'flows',
  trigger_run: 'runs',
};

interface SavedIds {
  status: string;
  step: string;
  connections: string | null;
  sourceConnections: string | null;
  targetConnections: string | null;
  flows: string | null;
  runs: string | null;
}

async function savedIds(world: ChaosWorld, exportId: string): Promise<SavedIds> {
  const { rows } = await world.pool.query<SavedIds>(
    `SELECT e.status, e.step, d.base_connection_id AS connections, b.source_connection_id AS "sourceConnections",
            b.target_connection_id AS "targetConnections", b.flow_id AS flows,
            (SELECT platform_run_id FROM export_runs r WHERE r.export_id = e.id ORDER BY requested_at DESC LIMIT 1) AS runs
       FROM exports e JOIN destinations d ON d.id = e.destination_id LEFT JOIN flow_bindings b ON b.id = e.flow_binding_id
      WHERE e.id = $1`,
    [exportId],
  );
  return rows[0] ?? assert.fail(`no export ${exportId}`);
}

async function flowState(world: ChaosWorld, flowId: string): Promise<string | undefined> {
  const flow = (await world.platform.list('flows')).find((f) => f.id === flowId);
  return flow?.state;
}

describe('chaos: the worker is SIGKILLed at every crash point', () => {
  let world: ChaosWorld;
  let datasetId: string;
  const accepted: string[] = [];
  const crashes: CrashPoint[] = [];
  const startedAt = Date.now();

  before(async () => {
    world = await startChaosWorld({ label: 'crash', simulator: { notReadySeconds: 1, runSeconds: 1 } });
    await world.startApi();
    datasetId = (await world.datasets()).get('CMLE Synthetic Experience Events') ?? assert.fail('events dataset missing');
  });

  after(async () => {
    await world?.close();
  });

  /** Starts a worker that dies at `point`, waits for its SIGKILL, and checks the state it left. */
  async function crashAt(exportId: () => Promise<string>, point: CrashPoint): Promise<string> {
    const [step, phase] = point.split(':') as [CrashStep, 'before' | 'after'];
    const countsBefore = await world.platform.counts();
    const doomed = await world.startWorker({ CRASH_AT: point }, `worker (CRASH_AT=${point})`);
    const id = await exportId();
    const died = await doomed.exited();
    assert.equal(died.signal, 'SIGKILL', `${point}: the worker did not die there\n${doomed.output()}`);
    crashes.push(point);

    const saved = await savedIds(world, id);
    assert.equal(saved.step, step, `${point}: the export stopped at ${saved.step}`);
    assert.notEqual(saved.status, 'succeeded');
    const counts = await world.platform.counts();
    if (step === 'verify_flow') {
      // The hook points wrap the enable of a flow found disabled: before it, still disabled.
      assert.equal(await flowState(world, saved.flows ?? assert.fail('no flow saved')), phase === 'before' ? 'disabled' : 'enabled', point);
      assert.deepEqual(counts, countsBefore, `${point}: nothing may be created`);
    } else {
      const kind = kindOf[step];
      // `after`: the Platform has the object, we have not saved its id; `before`: neither has it.
      assert.equal(counts[kind], countsBefore[kind] + (phase === 'after' ? 1 : 0), `${point}: ${kind} at the Platform`);
      assert.equal(saved[kind], null, `${point}: the ${kind} id must not be saved yet`);
    }
    return id;
  }

  /** One destination per path, so each walk starts with nothing at the Platform. */
  const destinations = new Map<string, string>();

  async function postExport(path: string): Promise<string> {
    const destinationId = destinations.get(path) ?? assert.fail(`no destination for ${path}`);
    const answer = await world.request<{ id: string }>('POST', '/exports', { datasetId, destinationId, path, format: 'parquet', compression: 'gzip' });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    accepted.push(answer.body.id);
    return answer.body.id;
  }

  /** Posts one export and kills a worker at each point in turn; a clean worker finishes it. */
  async function walk(path: string, points: CrashPoint[]): Promise<string> {
    if (!destinations.has(path)) destinations.set(path, await world.createDestination({ type: 'dlz', name: `crash ${path}`, params: {} }));
    let id: string | undefined;
    for (const point of points) {
      // The first doomed worker is ready before the export exists; later ones pick up its job.
      id = await crashAt(async () => id ?? (await postExport(path)), point);
    }
    const finisher = await world.startWorker({}, 'worker (clean)');
    await world.waitUntilAllTerminal(60_000);
    await finisher.stop();
    assert.equal(finisher.child.exitCode, 0, finisher.output());
    return id ?? assert.fail('no crash points');
  }

  test('base, source and target connection: killed before the create and after it, before the id was saved', async () => {
    await walk('crash/connections', [
      'base_connection:before',
      'base_connection:after',
      'source_connection:before',
      'source_connection:after',
      'target_connection:before',
      'target_connection:after',
    ]);
  });

  test('flow and ad hoc run: killed before the create and after it, before the id was saved', async () => {
    await walk('crash/flow', ['flow:before', 'flow:after', 'trigger_run:before', 'trigger_run:after']);
  });

  test('verify flow: killed before and after re-enabling a flow found disabled', async () => {
    // A second export of the same binding reuses the flow; disable it at the Platform first.
    const first = await savedIds(world, accepted.at(-1) ?? assert.fail('the flow chain ran first'));
    const flowId = first.flows ?? assert.fail('no flow saved');
    const disabled = await world.platform.call('POST', `/data/foundation/flowservice/flows/${flowId}/action?op=disable`);
    assert.equal(disabled.status, 200, await disabled.text());
    await walk('crash/flow', ['verify_flow:before', 'verify_flow:after']);
    assert.equal(await flowState(world, flowId), 'enabled');
  });

  test('invariants: every export succeeded, one Platform object of each kind, our ids are the Platform ids', async () => {
    const report = await checkInvariants(world, accepted);
    console.log(summaryLine('worker-crash-points', report, { crashes: crashes.length, seconds: Math.round((Date.now() - startedAt) / 1000) }));
    assert.deepEqual(report.problems, []);
    assert.equal(crashes.length, 12);
    // Two destinations, two bindings (the verify-flow export reuses the flow chain's), three runs.
    assert.deepEqual(report.platform, { connections: 2, sourceConnections: 2, targetConnections: 2, flows: 2, runs: 3 });
    assert.equal(report.succeeded, 3);
  });
});

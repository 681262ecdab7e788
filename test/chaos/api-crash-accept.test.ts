// The API SIGKILLed around acceptance, at least 200 times (issue: "Accept path: idempotent in one
// atomic write"). Several lanes each run API processes one after another; each process first
// retries its lane's unanswered requests with their Idempotency-Key, then takes a new request and
// dies: at a chosen point (API_CRASH_AT: before the accept write, after it committed, after the
// enqueue) or at a random moment while a few requests are in flight. A worker runs throughout.
// In the end every key has exactly one export row and one Platform run (the chaos invariants),
// every 202 of a key names the same export, and no retry was ever answered 409.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { spreadExports, type ExportSpec } from '../support/chaos/export-batch.js';
import { checkInvariants, summaryLine } from '../support/chaos/invariants.js';
import { startApiProcess } from '../support/processes.js';

const KILLS = Number(process.env.ACCEPT_CRASH_KILLS ?? 200);
const LANES = 3;
const crashModes = ['accept_write:before', 'accept_write:after', 'accept_enqueue:after', 'random'] as const;
type CrashMode = (typeof crashModes)[number];

interface LogicalRequest {
  key: string;
  spec: ExportSpec;
  /** Status of each attempt; 0 for a connection error (the API died). */
  statuses: number[];
  /** Export ids of the 202 answers. */
  ids: string[];
  replayed: number;
}

describe('chaos: the API SIGKILLed around acceptance', () => {
  let world: ChaosWorld;
  const startedAt = Date.now();

  before(async () => {
    world = await startChaosWorld({ label: 'acceptcrash', simulator: { notReadySeconds: 0, runSeconds: 0 } });
    await world.startApi('api (setup)');
  });

  after(async () => {
    await world?.close();
  });

  test(`${KILLS} kills: every key ends with one export and one Platform run, never a 409`, async () => {
    const worker = await world.startWorker();
    const datasets = [...(await world.datasets()).values()];
    const destinations: string[] = [];
    for (let i = 0; i < 4; i++) destinations.push(await world.createDestination({ type: 'dlz', name: `accept crash ${i}`, params: {} }));
    const specs = spreadExports(4 * KILLS, 24, destinations, datasets);
    let nextSpec = 0;
    const requests: LogicalRequest[] = [];
    const newRequest = (): LogicalRequest => {
      const request: LogicalRequest = { key: randomUUID(), spec: specs[nextSpec++ % specs.length] as ExportSpec, statuses: [], ids: [], replayed: 0 };
      requests.push(request);
      return request;
    };
    const send = async (url: string, request: LogicalRequest): Promise<void> => {
      try {
        const response = await fetch(`${url}/exports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json', 'idempotency-key': request.key },
          body: JSON.stringify(request.spec),
        });
        const text = await response.text();
        request.statuses.push(response.status);
        if (response.status === 202) {
          request.ids.push((JSON.parse(text) as { id: string }).id);
          if (response.headers.get('idempotent-replayed') === 'true') request.replayed++;
        }
      } catch {
        request.statuses.push(0);
      }
    };
    const answered = (r: LogicalRequest) => r.ids.length > 0;

    let kills = 0;
    const killsByMode: Record<string, number> = {};
    const lane = async (laneIndex: number): Promise<void> => {
      const mine: LogicalRequest[] = [];
      for (let round = 0; kills < KILLS; round++) {
        const mode: CrashMode = crashModes[(laneIndex + round) % crashModes.length] as CrashMode;
        const env = mode === 'random' ? world.env : { ...world.env, API_CRASH_AT: mode };
        const api = await startApiProcess(env, `api lane ${laneIndex} round ${round} (${mode})`, [], { readyTimeoutMs: 120_000 });
        // Retries first, one by one, with their keys: a request that did not commit runs again here
        // (and may meet this process's crash point), one that committed gets its answer.
        for (const request of mine.filter((r) => !answered(r))) {
          if (api.process.child.exitCode !== null || api.process.child.signalCode !== null) break;
          await send(api.url, request);
        }
        if (mode === 'random') {
          const fresh = Array.from({ length: 3 }, newRequest);
          mine.push(...fresh);
          const inFlight = fresh.map((r) => send(api.url, r));
          await sleep(Math.floor(Math.random() * 40));
          await api.process.kill9();
          await Promise.all(inFlight);
        } else if (api.process.child.exitCode === null && api.process.child.signalCode === null) {
          const fresh = newRequest();
          mine.push(fresh);
          await send(api.url, fresh);
        }
        const exit = await Promise.race([api.process.exited(), sleep(15_000).then(() => undefined)]);
        if (exit === undefined) {
          await api.process.kill9();
          assert.fail(`${api.process.name} did not die at its crash point\n${api.process.output().slice(-3000)}`);
        }
        assert.equal((await api.process.exited()).signal, 'SIGKILL', `${api.process.name} ended otherwise\n${api.process.output().slice(-3000)}`);
        kills++;
        killsByMode[mode] = (killsByMode[mode] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));

    // A last API without crash points answers every key still unanswered.
    const last = await world.startApi('api (last)');
    for (const request of requests.filter((r) => !answered(r))) {
      for (let attempt = 0; attempt < 5 && !answered(request); attempt++) await send(last.url, request);
    }

    const unanswered = requests.filter((r) => !answered(r));
    assert.deepEqual(unanswered.map((r) => ({ key: r.key, statuses: r.statuses })), [], 'every key ends with a 202');
    const conflicts = requests.filter((r) => r.statuses.includes(409));
    assert.deepEqual(conflicts.map((r) => ({ key: r.key, statuses: r.statuses })), [], 'no attempt was answered 409');
    const others = requests.filter((r) => r.statuses.some((s) => s !== 0 && s !== 202));
    assert.deepEqual(others.map((r) => ({ key: r.key, statuses: r.statuses })), [], 'only 202s and dropped connections');
    const split = requests.filter((r) => new Set(r.ids).size !== 1);
    assert.deepEqual(split.map((r) => ({ key: r.key, ids: r.ids })), [], 'every 202 of a key names the same export');
    // The crash after the commit happened and was answered from the key's record, not run again.
    const replays = requests.reduce((n, r) => n + r.replayed, 0);
    assert.ok(replays > 0, 'some retries were answered from a committed key');

    await world.waitUntilAllTerminal(180_000);
    const acceptedIds = requests.map((r) => r.ids[0] ?? '');
    const report = await checkInvariants(world, acceptedIds);
    console.log(
      summaryLine('api-crash-accept', report, {
        kills,
        'kills-by-mode': JSON.stringify(killsByMode).replaceAll('"', ''),
        keys: requests.length,
        attempts: requests.reduce((n, r) => n + r.statuses.length, 0),
        'dropped-connections': requests.reduce((n, r) => n + r.statuses.filter((s) => s === 0).length, 0),
        replays,
        seconds: Math.round((Date.now() - startedAt) / 1000),
      }),
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.rows, requests.length, 'one export row per key');
    assert.equal(report.platform.runs, requests.length, 'one Platform run per key');
    assert.ok(kills >= KILLS);
    await worker.stop();
  });
});

// Fault injection: every knob (latency, jitter, 5xx, 429 + Retry-After, dropped response after
// the create was applied, held response, failing runs), its admin endpoint, and its config.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { seededRng } from '../../packages/stand-ins/src/simulator/faults/rng.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { baseConnectionBody, FS } from './helpers/fixtures.js';
import { call, obj } from './helpers/platform-call.js';
import { assertMatchesSpec } from './helpers/spec-check.js';

const CONNECTIONS = `${FS}/connections`;

async function countConnections(sim: TestSimulator, name: string): Promise<unknown> {
  return (await call(sim, { method: 'GET', path: `${CONNECTIONS}?property=name==${name}&count=true` })).body;
}

describe('faults', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => sim.close());

  test('latencyMs delays every call by at least that much; jitter adds on top', async () => {
    await sim.token();
    await sim.setFaults({ latencyMs: 300, latencyJitterMs: 100 });
    const started = performance.now();
    const response = await call(sim, { method: 'GET', path: CONNECTIONS });
    const elapsed = performance.now() - started;
    assert.equal(response.status, 200);
    assert.ok(elapsed >= 299, `expected at least 300 ms, got ${elapsed}`);
    await sim.setFaults({});
  });

  test('error5xx answers the next `count` matching calls with the status, then recovers', async () => {
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: CONNECTIONS }, effect: 'error5xx', count: 2, status: 500 }] });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(sim, { method: 'GET', path: CONNECTIONS })).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    const other = await call(sim, { method: 'GET', path: `${FS}/flows` });
    assert.equal(other.status, 200, 'non-matching paths are unaffected');
  });

  test('error5xx body is a Flow Service error and matches the spec\'s 500 response', async () => {
    await sim.setFaults({ rules: [{ match: { pathPrefix: CONNECTIONS }, effect: 'error5xx', count: 1, status: 500 }] });
    const response = await call(sim, { method: 'GET', path: CONNECTIONS });
    assert.equal(response.status, 500);
    assert.match(String(obj(response.body).type), /FLOW-\d{4}-500$/);
    await assertMatchesSpec(response, { file: 'destinations.yaml' });
  });

  test('a rate below 1 fails the calls the seeded RNG picks', async () => {
    const seed = 4242;
    await sim.setFaults({ seed, rules: [{ match: { pathPrefix: CONNECTIONS }, effect: 'error5xx', rate: 0.5 }] });
    const rng = seededRng(seed);
    const expected = Array.from({ length: 20 }, () => (rng() < 0.5 ? 503 : 200));
    const actual: number[] = [];
    for (let i = 0; i < 20; i += 1) actual.push((await call(sim, { method: 'GET', path: CONNECTIONS })).status);
    assert.deepEqual(actual, expected);
    assert.ok(actual.includes(503) && actual.includes(200));
    await sim.setFaults({});
  });

  test('rateLimit answers 429 with Retry-After', async () => {
    await sim.setFaults({ rules: [{ effect: 'rateLimit', count: 1, retryAfterSeconds: 7 }] });
    const limited = await call(sim, { method: 'GET', path: CONNECTIONS });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal(obj(limited.body).message, 'Too many requests');
    assert.equal((await call(sim, { method: 'GET', path: CONNECTIONS })).status, 200);
  });

  test('dropResponse applies the create, then drops the connection without an answer', async () => {
    await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: CONNECTIONS }, effect: 'dropResponse', count: 1 }] });
    await assert.rejects(call(sim, { method: 'POST', path: CONNECTIONS, body: baseConnectionBody('dataLandingZone', 'dropped-create') }));
    assert.deepEqual(await countConnections(sim, 'dropped-create'), { count: 1 }, 'the create was applied');
    const second = await call(sim, { method: 'POST', path: CONNECTIONS, body: baseConnectionBody('dataLandingZone', 'dropped-create') });
    assert.equal(second.status, 201, 'count 1: only the first call is dropped');
  });

  test('timeout applies the create and holds the answer until the client gives up', async () => {
    await sim.setFaults({ rules: [{ match: { method: 'POST' }, effect: 'timeout', count: 1 }] });
    const headers = await sim.headers();
    await assert.rejects(
      fetch(`${sim.url}${CONNECTIONS}`, { method: 'POST', headers, body: JSON.stringify(baseConnectionBody('dataLandingZone', 'held-create')), signal: AbortSignal.timeout(300) }),
      (error: Error) => error.name === 'TimeoutError',
    );
    assert.deepEqual(await countConnections(sim, 'held-create'), { count: 1 }, 'the create was applied');
  });

  test('timeout with a short holdMs delivers the answer late', async () => {
    await sim.setFaults({ rules: [{ match: { method: 'POST' }, effect: 'timeout', count: 1, holdMs: 200 }] });
    const started = performance.now();
    const response = await call(sim, { method: 'POST', path: CONNECTIONS, body: baseConnectionBody('dataLandingZone', 'late-create') });
    assert.equal(response.status, 201);
    assert.ok(performance.now() - started >= 199);
  });

  test('failNextRuns and runFailureRate decide what the run engine records', async () => {
    await sim.setFaults({ failNextRuns: 2 });
    const outcomes = [sim.ctx.faults.takeRunFailure(), sim.ctx.faults.takeRunFailure(), sim.ctx.faults.takeRunFailure()];
    assert.ok(outcomes[0] && outcomes[1]);
    assert.match(outcomes[0].code, /^[A-Z_]+-\d+-[A-Z]+$/);
    assert.equal(outcomes[2], null);
    await sim.setFaults({ runFailureRate: 1 });
    assert.notEqual(sim.ctx.faults.takeRunFailure(), null);
    await sim.setFaults({ runFailureRate: 0 });
    assert.equal(sim.ctx.faults.takeRunFailure(), null);
  });

  test('GET /simulator/admin/faults shows the remaining counts; bad configs are 400', async () => {
    await sim.setFaults({ rules: [{ match: { pathPrefix: CONNECTIONS }, effect: 'error5xx', count: 3 }], failNextRuns: 1 });
    await call(sim, { method: 'GET', path: CONNECTIONS });
    const current = obj(await (await fetch(`${sim.url}/simulator/admin/faults`)).json());
    assert.equal((current.rules as { count: number }[])[0]?.count, 2);
    assert.equal(current.failNextRuns, 1);
    const bad = await fetch(`${sim.url}/simulator/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ effect: 'explode' }] }) });
    assert.equal(bad.status, 400);
    await sim.setFaults({});
  });

  test('faults apply to IMS too (pathPrefix /ims)', async () => {
    await sim.setFaults({ rules: [{ match: { pathPrefix: '/ims/' }, effect: 'error5xx', count: 1 }] });
    const response = await fetch(`${sim.url}/ims/token/v3`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret }) });
    assert.equal(response.status, 503);
    assert.equal(obj(await response.json()).error, 'server_error');
  });
});

describe('fault configuration and admin access', () => {
  test('faults from the config (SIMULATOR_FAULTS) are active at start; admin routes need the admin token when set', async () => {
    const sim = await startSimulator({
      adminToken: 'fake-admin-token',
      faults: { latencyMs: 0, latencyJitterMs: 0, runFailureRate: 0, failNextRuns: 0, rules: [{ match: { pathPrefix: '/data/' }, effect: 'rateLimit', rate: 1, count: 1 }] },
    });
    try {
      assert.equal((await call(sim, { method: 'GET', path: CONNECTIONS })).status, 429);
      assert.equal((await fetch(`${sim.url}/simulator/admin/faults`)).status, 401);
      const allowed = await fetch(`${sim.url}/simulator/admin/faults`, { headers: { authorization: 'Bearer fake-admin-token' } });
      assert.equal(allowed.status, 200);
      await sim.setFaults({ failNextRuns: 1 });
      assert.notEqual(sim.ctx.faults.takeRunFailure(), null);
      const health = await fetch(`${sim.url}/simulator/admin/health`, { headers: { authorization: 'Bearer fake-admin-token' } });
      assert.equal(health.status, 200);
      assert.equal(obj(await health.json()).status, 'ok');
    } finally {
      await sim.close();
    }
  });
});

// Retries, timeouts and aborts of the Platform client against the simulator's fault injection:
// Retry-After honoured, 5xx retried for reads, creates never replayed once they may have been
// applied (the object is then found by name), and AbortSignal stopping a call.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createPlatformClient, type PlatformClientOptions } from '../../src/platform/client.js';
import { PlatformError } from '../../src/platform/errors.js';
import { DESTINATION_SPECS } from '../../src/platform/spec-ids.js';
import { createTokenCache, type TokenCache } from '../../src/platform/token-cache.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { callRecorder, parkedSchedule, targetFor, uniqueName, type RecordedCall } from './support.js';

const FLOWS = '/data/foundation/flowservice/flows';
const CONNECTIONS = '/data/foundation/flowservice/connections';
const DLZ = DESTINATION_SPECS.dataLandingZone;

void describe('Platform client resilience', () => {
  let sim: TestSimulator;
  let tokens: TokenCache;
  const clients: { close(): Promise<void> }[] = [];

  before(async () => {
    sim = await startSimulator();
    tokens = createTokenCache();
  });
  afterEach(async () => {
    await sim.setFaults({});
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await tokens.close();
    await sim.close();
  });

  function newClient(options: Partial<PlatformClientOptions> = {}) {
    const recorder = callRecorder();
    const client = createPlatformClient({
      target: targetFor(sim),
      tokens,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      onCall: recorder.onCall,
      ...options,
    });
    clients.push(client);
    return { client, calls: recorder.calls };
  }

  const startOf = (call: RecordedCall): number => call.endedAt - call.durationMs;
  const statuses = (calls: RecordedCall[]): (number | null)[] => calls.map((c) => c.status);

  async function failureOf(promise: Promise<unknown>): Promise<PlatformError> {
    const error = await promise.then(
      () => assert.fail('expected the call to fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PlatformError, `expected a PlatformError, got ${String(error)}`);
    return error;
  }

  void it('waits at least Retry-After before the next attempt after a 429', async () => {
    const { client, calls } = newClient();
    await tokens.getToken(client.target);
    const retryAfterSeconds = 1;
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: FLOWS }, effect: 'rateLimit', retryAfterSeconds, count: 1 }] });

    const count = await client.countObjects('flow');
    assert.equal(typeof count, 'number');
    assert.deepEqual(statuses(calls), [429, 200]);
    const [first, second] = calls;
    assert.ok(first && second);
    // Jitter alone is capped at 5 ms here, so only Retry-After can explain this gap.
    const gapMs = startOf(second) - first.endedAt;
    assert.ok(gapMs >= retryAfterSeconds * 1000 - 1, `second attempt started ${gapMs} ms after the 429`);
  });

  void it('retries a create after a 429 (the Platform did not process it) and makes one object', async () => {
    const { client, calls } = newClient();
    await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: CONNECTIONS }, effect: 'rateLimit', retryAfterSeconds: 0, count: 1 }] });
    const name = uniqueName('rate limited connection');

    const created = await client.createBaseConnection({ name, connectionSpecId: DLZ.connectionSpecId, auth: null });
    assert.deepEqual(statuses(calls), [429, 201]);
    assert.equal((await client.findBaseConnectionByName(name))?.id, created.id);
    assert.equal(await client.countObjects('connection', [`name==${name}`]), 1);
  });

  void it('retries 5xx answers to a GET until it succeeds', async () => {
    const { client, calls } = newClient();
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: FLOWS }, effect: 'error5xx', status: 503, count: 2 }] });

    await client.countObjects('flow');
    assert.deepEqual(statuses(calls), [503, 503, 200]);
    assert.deepEqual(
      calls.map((c) => c.attempt),
      [1, 2, 3],
    );
  });

  void it('gives up on a GET after maxAttempts with a transient error in plain words', async () => {
    const { client, calls } = newClient({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } });
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: FLOWS }, effect: 'error5xx', status: 502 }] });

    const error = await failureOf(client.countObjects('flow'));
    assert.equal(error.kind, 'transient');
    assert.equal(error.status, 502);
    assert.equal(error.ambiguous, false);
    assert.match(error.plainMessage, /temporary problem \(HTTP 502\)/);
    assert.equal(calls.length, 3);
  });

  void it('does not replay a create whose response was dropped; the object is then found by name', async () => {
    const { client, calls } = newClient();
    await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: CONNECTIONS }, effect: 'dropResponse', count: 1 }] });
    const name = uniqueName('dropped connection');

    const error = await failureOf(client.createBaseConnection({ name, connectionSpecId: DLZ.connectionSpecId, auth: null }));
    assert.equal(error.kind, 'transient');
    assert.equal(error.ambiguous, true);
    assert.match(error.plainMessage, /may or may not have created the base connection/);
    assert.deepEqual(
      calls.filter((c) => c.method === 'POST').map((c) => c.status),
      [null],
    );

    const found = await client.findBaseConnectionByName(name);
    assert.ok(found, 'the server applied the create before the connection dropped');
    assert.equal(found.name, name);
    assert.equal(await client.countObjects('connection', [`name==${name}`]), 1);
  });

  void it('does not replay a flow create that timed out; find-by-name returns the applied flow', async () => {
    // The setup calls take the default timeouts (a busy machine can take over 400 ms to answer a
    // create); only the flow create, held 5 s by the fault, meets the short one.
    const { client } = newClient();
    const { client: impatient } = newClient({ timeouts: { headersMs: 1500 } });
    const [dataset] = await client.listDatasets({ limit: 1 });
    assert.ok(dataset, 'the simulator seeds datasets');
    const name = uniqueName('timed out flow');
    const base = await client.createBaseConnection({ name, connectionSpecId: DLZ.connectionSpecId, auth: null });
    const source = await client.createSourceConnection({ name, datasetId: dataset.id });
    const target = await client.createTargetConnection({
      name,
      baseConnectionId: base.id,
      connectionSpecId: DLZ.connectionSpecId,
      params: { mode: 'Server-to-server', compression: 'GZIP', datasetFileType: 'PARQUET', path: '/exports/tests' },
    });
    await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: FLOWS }, effect: 'timeout', holdMs: 5_000, count: 1 }] });

    const error = await failureOf(
      impatient.createFlow({
        name,
        flowSpecId: DLZ.datasetFlowSpecId,
        sourceConnectionId: source.id,
        targetConnectionId: target.id,
        scheduleParams: parkedSchedule(),
      }),
    );
    assert.equal(error.ambiguous, true);

    const flow = await client.findFlowByName(name);
    assert.ok(flow);
    assert.deepEqual(flow.sourceConnectionIds, [source.id]);
    assert.deepEqual(flow.targetConnectionIds, [target.id]);
    assert.equal(await client.countObjects('flow', [`name==${name}`]), 1);
  });

  void it('does not replay a create after a 5xx, and the lookup shows whether it was applied', async () => {
    const { client, calls } = newClient();
    await sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: CONNECTIONS }, effect: 'error5xx', status: 500, count: 1 }] });
    const name = uniqueName('failed connection');

    const error = await failureOf(client.createBaseConnection({ name, connectionSpecId: DLZ.connectionSpecId, auth: null }));
    assert.equal(error.ambiguous, true);
    assert.equal(error.status, 500);
    assert.equal(calls.filter((c) => c.method === 'POST').length, 1);
    // The injected 500 answered before the handler ran: nothing exists, creating again is safe.
    assert.equal(await client.findBaseConnectionByName(name), null);
  });

  void it('an IMS outage fails a create without calling the Platform, without ambiguity or nested retries', async () => {
    const tokenRequests: string[] = [];
    const ownTokens = createTokenCache({
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 },
      onTokenRequest: (event) => tokenRequests.push(event.outcome),
    });
    try {
      const { client, calls } = newClient({ tokens: ownTokens });
      await sim.setFaults({ rules: [{ match: { pathPrefix: '/ims/' }, effect: 'error5xx', status: 503 }] });

      const error = await failureOf(client.createBaseConnection({ name: uniqueName('no token'), connectionSpecId: DLZ.connectionSpecId, auth: null }));
      assert.equal(error.kind, 'transient');
      assert.equal(error.ambiguous, false);
      assert.equal(error.endpoint, 'ims.token');
      assert.match(error.plainMessage, /IMS could not issue a token/);
      assert.equal(calls.length, 0, 'no Platform call without a token');
      // The token cache's two attempts only: the client's own retry loop does not repeat them.
      assert.deepEqual(tokenRequests, ['failed', 'failed']);
    } finally {
      await ownTokens.close();
    }
  });

  void it('retries a GET whose answer never came (headers timeout)', async () => {
    // Long enough for the retried GET to be answered on a busy machine, well short of the 5 s hold.
    const { client, calls } = newClient({ timeouts: { headersMs: 1500 } });
    await tokens.getToken(client.target);
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: FLOWS }, effect: 'timeout', holdMs: 5_000, count: 1 }] });

    await client.countObjects('flow');
    assert.deepEqual(statuses(calls), [null, 200]);
  });

  void it('stops an in-flight call when the AbortSignal fires, without retrying', async () => {
    const { client, calls } = newClient();
    await tokens.getToken(client.target);
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: FLOWS }, effect: 'timeout', holdMs: 10_000 }] });
    const controller = new AbortController();
    const pending = client.countObjects('flow', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);

    await assert.rejects(pending, (error: unknown) => error instanceof Error && error.name === 'AbortError');
    assert.deepEqual(statuses(calls), [null]);
  });

  void it('stops waiting between retries when the AbortSignal fires', async () => {
    const controller = new AbortController();
    const { client, calls } = newClient({
      // Abort as soon as the 429 arrives, i.e. while the client waits out Retry-After.
      onCall: (event) => {
        calls.push({ ...event, endedAt: performance.now() });
        if (event.status === 429) controller.abort();
      },
    });
    await sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: FLOWS }, effect: 'rateLimit', retryAfterSeconds: 30 }] });

    await assert.rejects(client.countObjects('flow', [], { signal: controller.signal }), (error: unknown) => error instanceof Error && error.name === 'AbortError');
    assert.deepEqual(statuses(calls), [429]);
  });

  void it('does not call at all with an already aborted signal', async () => {
    const { client, calls } = newClient();
    await assert.rejects(client.getFlow('any-flow', { signal: AbortSignal.abort() }), (error: unknown) => error instanceof Error && error.name === 'AbortError');
    assert.equal(calls.length, 0);
  });
});

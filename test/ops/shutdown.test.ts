// Graceful shutdown of the API process: SIGTERM while requests wait on a slow Platform lets every
// one of them finish (no 5xx, no reset connection), ends open event streams cleanly, and the
// process exits 0 after closing the producer, Redis and Postgres.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fakeDestinationBodies } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createProcessTenant } from '../support/process-tenant.js';
import { startApiProcess, type ServiceProcess } from '../support/processes.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';

describe('API graceful shutdown', () => {
  let database: TestDatabase;
  let sim: TestSimulator;
  let api: { process: ServiceProcess; url: string };
  let key: string;

  before(async () => {
    database = await createTestDatabase('shutdown');
    sim = await startSimulator();
    const tenant = await createProcessTenant(database.db, sim, 'shutdown');
    key = tenant.key;
    const secretsKeys = tenant.secretsKeys;
    api = await startApiProcess({
      DATABASE_URL: database.url,
      SIMULATOR_URL: sim.url,
      SECRETS_KEYS: secretsKeys,
      QUEUE_PREFIX: `test${randomBytes(5).toString('hex')}`,
      ALLOW_PRIVATE_STORAGE: 'true',
    });
  });

  after(async () => {
    await api?.process.stop();
    await sim?.close();
    await database?.drop();
  });

  test('SIGTERM with requests in flight: all answered, streams ended, exit code 0', async () => {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const destination = (await (await fetch(`${api.url}/destinations`, { method: 'POST', headers, body: JSON.stringify(fakeDestinationBodies.dlz) })).json()) as { id: string };
    const datasets = (await (await fetch(`${api.url}/datasets?limit=100`, { headers })).json()) as { items: { id: string }[] };
    const exportBody = { datasetId: datasets.items[0]?.id, destinationId: destination.id, path: 'shutdown/a', format: 'parquet', compression: 'gzip' };
    const created = await fetch(`${api.url}/exports`, { method: 'POST', headers, body: JSON.stringify(exportBody) });
    assert.equal(created.status, 202, await created.clone().text());
    const exportId = ((await created.json()) as { id: string }).id;

    // No worker runs: the export stays queued and its event stream stays open.
    const stream = await fetch(`${api.url}/exports/${exportId}/events`, { headers });
    assert.equal(stream.status, 200);
    assert.ok(stream.body);
    const streamText = new Response(stream.body).text();

    // Every Platform call now takes 1.5 s, so these requests are in flight when SIGTERM arrives.
    await sim.setFaults({ latencyMs: 1500 });
    const inFlight = 6;
    const seenBefore = api.process.output().split('incoming request').length - 1;
    const requests = Array.from({ length: inFlight }, (_, i) =>
      fetch(`${api.url}/datasets?limit=${i + 1}`, { headers }).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        (error: unknown) => ({ status: 0, body: String(error) }),
      ),
    );
    // Wait until the API has logged each of them as received.
    for (;;) {
      if (api.process.output().split('incoming request').length - 1 >= seenBefore + inFlight) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    api.process.child.kill('SIGTERM');

    const answers = await Promise.all(requests);
    for (const answer of answers) assert.equal(answer.status, 200, answer.body);
    for (const answer of answers) assert.ok(Array.isArray((JSON.parse(answer.body) as { items: unknown }).items));
    assert.match(await streamText, /event: export\n/);

    const exit = await api.process.exited();
    assert.deepEqual(exit, { code: 0, signal: null }, api.process.output());
    assert.match(api.process.output(), /api stopped/);
    // Nothing listens any more.
    await assert.rejects(fetch(`${api.url}/healthz`));
  });
});

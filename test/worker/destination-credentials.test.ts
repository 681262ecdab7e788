// Rotating a destination's credentials (PATCH /destinations/:id) after its base connection exists:
// the service replaces the connection's `auth` at the Platform with If-Match on the etag it read,
// and the next run writes with the new credentials. Read back through the simulator's own Flow
// Service API, as a client would.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bodyOf } from '../support/api.js';
import { emulatorDestinationBodies, prepareCustomerStores } from '../support/emulator-destinations.js';
import type { TestSimulator } from '../support/simulator.js';
import { createExport, datasetIdByName, EVENTS_DATASET, startWorld, waitForExport, type World } from './helpers.js';

interface Connection {
  etag: string;
  auth: { specName: string; params: Record<string, string> };
}

async function connectionAt(sim: TestSimulator, id: string): Promise<Connection> {
  const response = await fetch(`${sim.url}/data/foundation/flowservice/connections/${id}`, { headers: await sim.headers() });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { items: Connection[] }).items[0]!;
}

describe('PATCH /destinations/:id rotates the credentials at the Platform', () => {
  let world: World;
  let datasetId: string;
  before(async () => {
    world = await startWorld();
    await prepareCustomerStores(world.sim);
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
  });
  after(() => world.close());

  test('the base connection gets the new auth with If-Match, and the next run lands with it', async () => {
    const { api, sim } = world;
    const good = emulatorDestinationBodies(sim).s3;
    // Well-formed keys the customer's bucket does not accept.
    const wrong = { authType: 'access-key', s3AccessKey: 'ABCDEFGHIJKLMNOPQRS2', s3SecretKey: 'x'.repeat(40) } as const;
    const created = await api.post(api.keys.tenantA, '/destinations', { ...good, credentials: wrong });
    assert.equal(created.statusCode, 201, created.body);
    const destinationId = bodyOf<{ id: string }>(created).id;

    const first = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'rotation' })).id);
    assert.equal(first.status, 'failed', 'the Platform cannot write with the wrong keys');
    const { baseConnectionId } = bodyOf<{ baseConnectionId: string | null }>(await api.get(api.keys.tenantA, `/destinations/${destinationId}`));
    assert.ok(baseConnectionId, 'the first export created the base connection');
    const before = await connectionAt(sim, baseConnectionId);
    assert.equal(before.auth.params.s3AccessKey, wrong.s3AccessKey);

    const patched = await api.patch(api.keys.tenantA, `/destinations/${destinationId}`, { credentials: good.credentials });
    assert.equal(patched.statusCode, 200, patched.body);
    const afterPatch = await connectionAt(sim, baseConnectionId);
    assert.equal(afterPatch.auth.params.s3AccessKey, good.credentials.s3AccessKey);
    assert.notEqual(afterPatch.etag, before.etag, 'the Platform took the PATCH (its etag moved)');
    // The Platform only takes a PATCH with the current etag: the one read before is refused now.
    const stale = await fetch(`${sim.url}/data/foundation/flowservice/connections/${baseConnectionId}`, {
      method: 'PATCH',
      headers: { ...(await sim.headers()), 'content-type': 'application/json', 'if-match': before.etag },
      body: JSON.stringify([{ op: 'replace', path: '/auth', value: before.auth }]),
    });
    assert.equal(stale.status, 412);

    const second = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'rotation' })).id);
    assert.equal(second.status, 'succeeded', JSON.stringify(second.error));
    assert.ok((second.runs[0]?.files ?? 0) > 0, 'the run landed files with the new keys');
    assert.equal(bodyOf<{ baseConnectionId: string }>(await api.get(api.keys.tenantA, `/destinations/${destinationId}`)).baseConnectionId, baseConnectionId, 'the same base connection');
  });
});

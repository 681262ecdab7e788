// The simulator's Data Landing Zone: per org and sandbox its own containers, reached with the SAS
// the credentials endpoint hands out (Adobe's shape), opened with @azure/storage-blob. Another
// org's or sandbox's SAS cannot list them, and a SAS stops working once it expires.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContainerClient, RestError } from '@azure/storage-blob';
import { DEFAULT_SIMULATOR_CLIENT_ID, DEFAULT_SIMULATOR_CLIENT_SECRET, DEFAULT_SIMULATOR_ORG_ID } from '../../packages/stand-ins/src/simulator/config.js';
import { blobNames } from '../support/landed-files.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';

const orgB = { clientId: 'org-b-client', clientSecret: 'org-b-secret', orgId: 'ORGB00000000000000000000@AdobeOrg' };

async function credentials(sim: TestSimulator, headers: Record<string, string>, type = 'dlz_destination') {
  const response = await fetch(`${sim.url}/data/foundation/connectors/landingzone/credentials?type=${type}`, { headers });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { containerName: string; SASToken: string; storageAccountName: string; SASUri: string; expiryDate: string };
}

async function headersOf(sim: TestSimulator, client: typeof orgB, sandbox: string): Promise<Record<string, string>> {
  const token = await fetch(`${sim.url}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'openid,AdobeID' }),
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  return { authorization: `Bearer ${accessToken}`, 'x-api-key': client.clientId, 'x-gw-ims-org-id': client.orgId, 'x-sandbox-name': sandbox };
}

async function statusOf(work: Promise<unknown>): Promise<number> {
  try {
    await work;
    return 200;
  } catch (error) {
    if (error instanceof RestError) return error.statusCode ?? 0;
    throw error;
  }
}

describe('simulator Data Landing Zone', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator({
      clients: [{ clientId: DEFAULT_SIMULATOR_CLIENT_ID, clientSecret: DEFAULT_SIMULATOR_CLIENT_SECRET, orgId: DEFAULT_SIMULATOR_ORG_ID }, orgB],
    });
  });
  after(() => sim.close());

  test('answers in Adobe’s shape, and the SAS opens the container with @azure/storage-blob', async () => {
    const { 'content-type': _ct, ...headers } = await sim.headers();
    const answer = await credentials(sim, headers);
    assert.match(answer.containerName, /^dlz-destination-/);
    assert.equal(answer.SASUri, `${sim.storage.azure.blobEndpoint}/${answer.containerName}?${answer.SASToken}`);
    assert.match(answer.expiryDate, /^\d{4}-\d{2}-\d{2}$/);
    const container = new ContainerClient(answer.SASUri);
    assert.deepEqual(await blobNames(container, ''), []);

    // The drop zone's SAS may write; the export container's may only read, list and delete.
    const drop = new ContainerClient((await credentials(sim, headers, 'user_drop_zone')).SASUri);
    await drop.getBlockBlobClient('cmle/ingress/scores.csv').uploadData(Buffer.from('userId,prediction\n'));
    assert.deepEqual(await blobNames(drop, 'cmle/'), ['cmle/ingress/scores.csv']);
    assert.equal(await statusOf(container.getBlockBlobClient('x.txt').uploadData(Buffer.from('x'))), 403);

    const bad = await fetch(`${sim.url}/data/foundation/connectors/landingzone/credentials?type=nope`, { headers });
    assert.equal(bad.status, 400);
  });

  test("containers are per org and sandbox: another's SAS cannot list them", async () => {
    const { 'content-type': _ct, ...headersA } = await sim.headers();
    const a = await credentials(sim, headersA, 'user_drop_zone');
    const containerA = new ContainerClient(a.SASUri);
    await containerA.getBlockBlobClient('only-a.txt').uploadData(Buffer.from('a'));

    for (const headers of [await headersOf(sim, orgB, sim.sandbox), await headersOf(sim, { clientId: DEFAULT_SIMULATOR_CLIENT_ID, clientSecret: DEFAULT_SIMULATOR_CLIENT_SECRET, orgId: DEFAULT_SIMULATOR_ORG_ID }, 'other-sandbox')]) {
      const b = await credentials(sim, headers, 'user_drop_zone');
      assert.notEqual(b.containerName, a.containerName);
      // B's SAS on B's container: B's own (empty) files.
      assert.deepEqual(await blobNames(new ContainerClient(b.SASUri), ''), []);
      // B's SAS against A's container: refused by the store.
      const forged = new ContainerClient(`${sim.storage.azure.blobEndpoint}/${a.containerName}?${b.SASToken}`);
      assert.equal(await statusOf(blobNames(forged, '')), 403);
      assert.equal(await statusOf(forged.getBlobClient('only-a.txt').downloadToBuffer()), 403);
    }
  });
});

describe('simulator Data Landing Zone: expiry', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator({});
    sim.config.storage.dlzSasTtlSeconds = 2;
  });
  after(() => sim.close());

  test('a SAS stops working after it expires; a fresh one works again', async () => {
    const { 'content-type': _ct, ...headers } = await sim.headers();
    const answer = await credentials(sim, headers);
    const container = new ContainerClient(answer.SASUri);
    assert.equal(await statusOf(blobNames(container, '')), 200);
    const expiresAt = Date.parse(new URLSearchParams(answer.SASToken).get('se') ?? '');
    // Wait past the SAS's own expiry (a fact of the token, not a timing assertion).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1500));
    assert.equal(await statusOf(blobNames(container, '')), 403);
    assert.equal(await statusOf(blobNames(new ContainerClient((await credentials(sim, headers)).SASUri), '')), 200);
  });
});

// An on-demand export to each destination type lands its files in the matching emulator, through
// that store's protocol. The test reads them back with the store's official SDK (never the
// emulator's folders): the rows equal the dataset's; GET /exports/:id and
// GET /exports/:id/runs/:runId/files name the same URIs; signed URLs download with a plain HTTP
// GET (S3, GCS, Azure, DLZ) and SFTP files stream through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  ContainerClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import SftpClient from 'ssh2-sftp-client';
import type { ExportView, RunFilesView } from '../../src/exports/export-schemas.js';
import { bodyOf } from '../support/api.js';
import {
  EMULATOR_BUCKET,
  EMULATOR_CONTAINER,
  emulatorDestinationBodies,
  emulatorGcsKey,
  emulatorS3Key,
  emulatorSftpUser,
  prepareCustomerStores,
  type EmulatorDestinationType,
} from '../support/emulator-destinations.js';
import { dlzCredentialsOf, rowsOfPart } from '../support/landed-files.js';
import { expectedDataset } from '../simulator/data-support.js';
import { countAtPlatform, createExport, datasetIdByName, EVENTS_DATASET, startWorld, waitForExport, type World } from './helpers.js';

/** Reads a landed file by its URI with the official SDK of its store. */
async function readWithSdk(world: World, type: EmulatorDestinationType, uri: string): Promise<Buffer> {
  const { sim } = world;
  const url = new URL(uri);
  switch (type) {
    case 's3':
    case 'gcs': {
      assert.equal(url.protocol, type === 's3' ? 's3:' : 'gs:');
      assert.equal(url.host, EMULATOR_BUCKET);
      const client = new S3Client({
        endpoint: type === 's3' ? sim.storage.s3.endpoint : sim.storage.gcs.endpoint,
        region: type === 's3' ? 'us-east-1' : 'auto',
        forcePathStyle: true,
        credentials: type === 's3' ? emulatorS3Key(sim) : emulatorGcsKey(sim),
      });
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: EMULATOR_BUCKET, Key: decodeURIComponent(url.pathname.slice(1)) }));
        return Buffer.from(await object.Body!.transformToByteArray());
      } finally {
        client.destroy();
      }
    }
    case 'azure-blob': {
      const container = BlobServiceClient.fromConnectionString(sim.storage.azure.connectionString).getContainerClient(EMULATOR_CONTAINER);
      const prefix = `${container.url}/`;
      assert.ok(uri.startsWith(prefix), uri);
      return container.getBlobClient(decodeURI(uri.slice(prefix.length))).downloadToBuffer();
    }
    case 'dlz': {
      const container = new ContainerClient((await dlzCredentialsOf(sim)).SASUri);
      const prefix = `${container.url.split('?')[0]}/`;
      assert.ok(uri.startsWith(prefix), uri);
      return container.getBlobClient(decodeURI(uri.slice(prefix.length))).downloadToBuffer();
    }
    case 'sftp': {
      assert.equal(url.protocol, 'sftp:');
      const user = emulatorSftpUser(sim);
      const client = new SftpClient();
      await client.connect({ host: url.hostname, port: Number(url.port || 22), username: user.username, password: user.password });
      try {
        return (await client.get(decodeURI(url.pathname))) as Buffer;
      } finally {
        await client.end();
      }
    }
  }
}

describe('on-demand export to every destination type, read back through each store', { concurrency: true }, () => {
  let world: World;
  let datasetId: string;
  before(async () => {
    world = await startWorld();
    await prepareCustomerStores(world.sim);
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
  });
  after(() => world.close());

  for (const type of ['dlz', 's3', 'azure-blob', 'gcs', 'sftp'] as const) {
    test(`${type}: the landed files hold the dataset's rows`, async () => {
      const { api, sim } = world;
      const created = await api.post(api.keys.tenantA, '/destinations', emulatorDestinationBodies(sim)[type]);
      assert.equal(created.statusCode, 201, created.body);
      const destinationId = bodyOf<{ id: string }>(created).id;
      const path = `exports/${type}`;
      const format = type === 'sftp' ? 'json' : 'parquet';
      const accepted = await createExport(api, { datasetId, destinationId, path, format });
      const done = await waitForExport(api, accepted.id);

      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.runs.length, 1);
      const run = done.runs[0]!;
      assert.equal(run.filesError, null);
      assert.ok(run.folderUri, 'the run names its folder');
      assert.match(run.folderUri, new RegExp(`/${path}/${datasetId}/exportTime=\\d{12}/$`));
      const parts = run.landedFiles.filter((f) => /\/part-\d{5}-[^/]+$/.test(f.path));
      assert.equal(parts.length, run.files, JSON.stringify(run.landedFiles));
      assert.ok(run.landedFiles.every((f) => f.uri.startsWith(run.folderUri!)));
      assert.ok(parts.every((f) => f.path.endsWith(format === 'json' ? '.json.gz' : '.gz.parquet')));

      // Read back through the store's SDK: the rows are the dataset's, byte sizes as recorded.
      const rows: unknown[] = [];
      const bytesByUri = new Map<string, Buffer>();
      for (const file of parts) {
        const bytes = await readWithSdk(world, type, file.uri);
        assert.equal(bytes.length, file.size);
        bytesByUri.set(file.uri, bytes);
        rows.push(...(await rowsOfPart(file.path, bytes)));
      }
      const expected = expectedDataset(sim, 'experience-events').rows;
      assert.equal(rows.length, expected.length);
      assert.deepEqual(rows, expected);

      // The files route lists the same URIs, each with a download that works.
      const listed = await api.get(api.keys.tenantA, `/exports/${done.id}/runs/${run.id}/files`);
      assert.equal(listed.statusCode, 200, listed.body);
      const files = bodyOf<RunFilesView>(listed);
      assert.equal(files.folderUri, run.folderUri);
      assert.deepEqual(files.files.map((f) => f.uri), run.landedFiles.map((f) => f.uri));
      const first = files.files.find((f) => f.uri === parts[0]!.uri)!;
      if (type === 'sftp') {
        assert.equal(first.download.kind, 'api');
        const streamed = await api.get(api.keys.tenantA, new URL(first.download.url).pathname + new URL(first.download.url).search);
        assert.equal(streamed.statusCode, 200);
        assert.deepEqual(streamed.rawPayload, bytesByUri.get(first.uri));
      } else {
        assert.equal(first.download.kind, 'signed');
        assert.ok(first.download.expiresAt !== null && Date.parse(first.download.expiresAt) > Date.now());
        const response = await fetch(first.download.url);
        assert.equal(response.status, 200);
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytesByUri.get(first.uri));
      }
      assert.equal(await countAtPlatform(sim, 'runs', [`flowId==${done.platform.flowId}`]), 1);
    });
  }

  test("another tenant's export, run and file ids answer 404", async () => {
    const { api, sim } = world;
    const created = await api.post(api.keys.tenantA, '/destinations', emulatorDestinationBodies(sim).dlz);
    const destinationId = bodyOf<{ id: string }>(created).id;
    const accepted = await createExport(api, { datasetId, destinationId, path: 'exports/isolation' });
    const done: ExportView = await waitForExport(api, accepted.id);
    assert.equal(done.status, 'succeeded');
    const run = done.runs[0]!;
    const file = run.landedFiles[0]!;
    for (const url of [
      `/exports/${done.id}/runs/${run.id}/files`,
      `/exports/${done.id}/runs/${run.id}/files/content?path=${encodeURIComponent(file.path)}`,
      `/destinations/${destinationId}/access`,
    ]) {
      const response = await api.get(api.keys.tenantB, url);
      assert.equal(response.statusCode, 404, `${url}: ${response.body}`);
    }
    // The owner's short-lived DLZ credentials open the container and see the run's files.
    const access = await api.get(api.keys.tenantA, `/destinations/${destinationId}/access`);
    assert.equal(access.statusCode, 200, access.body);
    const grant = bodyOf<{ kind: string; sasUri: string; expiresAt: string }>(access);
    assert.equal(grant.kind, 'azure-sas');
    assert.ok(Date.parse(grant.expiresAt) > Date.now());
    const listedWithGrant: string[] = [];
    for await (const blob of new ContainerClient(grant.sasUri).listBlobsFlat({ prefix: 'exports/isolation/' })) listedWithGrant.push(blob.name);
    assert.deepEqual(listedWithGrant.sort(), run.landedFiles.map((f) => f.path).sort());

    // A path the run did not land is refused, even for the owner.
    const other = await api.get(api.keys.tenantA, `/exports/${done.id}/runs/${run.id}/files/content?path=${encodeURIComponent('exports/elsewhere/secret.json')}`);
    assert.equal(other.statusCode, 404);
  });

  test('azure-blob with a SAS connection string: succeeded, and the Platform never shows the connection string back', async () => {
    const { api, sim } = world;
    const { accountName, accountKey, blobEndpoint } = sim.storage.azure;
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse('rwlac'),
        resourceTypes: AccountSASResourceTypes.parse('co').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(accountName, accountKey),
    ).toString();
    const response = await api.post(api.keys.tenantA, '/destinations', {
      ...emulatorDestinationBodies(sim)['azure-blob'],
      name: 'customer blob (SAS)',
      credentials: { connectionString: `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${sas}` },
    });
    assert.equal(response.statusCode, 201, response.body);
    const destinationId = bodyOf<{ id: string }>(response).id;
    const done = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'exports/azure-sas' })).id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    const run = done.runs[0]!;
    assert.ok((run.files ?? 0) > 0);
    const parts = run.landedFiles.filter((f) => /\/part-\d{5}-[^/]+$/.test(f.path));
    assert.equal(parts.length, run.files);
    for (const file of parts) assert.equal((await readWithSdk(world, 'azure-blob', file.uri)).length, file.size);
    const connection = await fetch(`${sim.url}/data/foundation/flowservice/connections/${done.platform.baseConnectionId}`, { headers: await sim.headers() });
    const auth = ((await connection.json()) as { items: { auth: { specName: string; params: Record<string, unknown> } }[] }).items[0]?.auth;
    assert.equal(auth?.specName, 'ConnectionString');
    assert.equal(auth?.params.connectionString, undefined, 'a partial view: the secret is not echoed');
  });
});

// The storage adapters against the simulator's emulators, over their real protocols: write from a
// stream, list, stat, read back, a signed URL fetched with a plain HTTP GET (S3, GCS, Azure), and
// the not-found and access-denied vocabulary.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { openAzureBlobStore } from '../../src/storage/azure-blob-store.js';
import { StorageAccessDeniedError, StorageNotFoundError, type ObjectStore } from '../../src/storage/object-store.js';
import { openS3Store } from '../../src/storage/s3-store.js';
import { openSftpStore } from '../../src/storage/sftp-store.js';
import { startStorageEmulators, type StorageEmulators } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';

const s3Key = { accessKeyId: 'AKIATESTADAPTERS2345', secretAccessKey: 'adapterTestSecretKey0000000000000000000A' };
const gcsKey = { accessKeyId: 'GOOGTESTADAPTERS0000', secretAccessKey: 'adapterTestGcsSecret00000000000000000000' };
const sftpUser = { username: 'adapter', password: 'adapter-test-password' };

let emulators: StorageEmulators;
let directory: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'storage-adapters-'));
  emulators = await startStorageEmulators({
    host: '127.0.0.1',
    directory,
    azuritePort: 0,
    s3Port: 0,
    gcsPort: 0,
    sftpPort: 0,
    s3Keys: [s3Key],
    gcsKeys: [gcsKey],
    sftpUsers: [sftpUser],
  });
});

after(async () => {
  await emulators.close();
  await rm(directory, { recursive: true, force: true });
});

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function exercise(store: ObjectStore, signed: boolean): Promise<void> {
  const first = await store.write('runs/ds1/exportTime=202601010000/part-00000.json', Readable.from(['{"a":1}\n', '{"a":2}\n']));
  assert.equal(first.size, 16);
  assert.equal(first.uri, store.uriOf('runs/ds1/exportTime=202601010000/part-00000.json'));
  await store.write('runs/ds1/exportTime=202601010000/part-00001.json', new TextEncoder().encode('{"a":3}\n'));
  await store.write('runs/other/x.json', new TextEncoder().encode('{}'));

  const listed = await store.list('runs/ds1/');
  assert.deepEqual(
    listed.map((f) => [f.path, f.size]),
    [
      ['runs/ds1/exportTime=202601010000/part-00000.json', 16],
      ['runs/ds1/exportTime=202601010000/part-00001.json', 8],
    ],
  );
  assert.equal(store.pathOf(listed[0]!.uri), listed[0]!.path);
  assert.deepEqual(await store.list('nothing-here/'), []);
  assert.equal(await store.stat('runs/ds1/missing.json'), null);
  assert.equal((await store.stat(listed[1]!.path))?.size, 8);
  assert.equal(await text(await store.read(listed[0]!.path)), '{"a":1}\n{"a":2}\n');
  await assert.rejects(store.read('runs/ds1/missing.json'), StorageNotFoundError);

  const url = await store.signedReadUrl(listed[1]!.path, 300);
  if (!signed) {
    assert.equal(url, null);
    return;
  }
  assert.ok(url);
  const response = await fetch(url.url);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), '{"a":3}\n');
  assert.ok(url.expiresAt.getTime() > Date.now());
}

describe('storage adapters against the emulators', () => {
  test('S3: write, list, stat, read, presigned GET', async () => {
    const admin = new S3Client({ region: 'us-east-1', endpoint: emulators.s3.endpoint, forcePathStyle: true, credentials: s3Key });
    await admin.send(new CreateBucketCommand({ Bucket: 'adapter-bucket' }));
    admin.destroy();
    const store = openS3Store({ flavour: 's3', bucket: 'adapter-bucket', region: 'us-east-1', endpoint: emulators.s3.endpoint, credentials: { kind: 'keys', ...s3Key } });
    assert.equal(store.rootUri, 's3://adapter-bucket/');
    await exercise(store, true);
    const wrong = openS3Store({ flavour: 's3', bucket: 'adapter-bucket', region: 'us-east-1', endpoint: emulators.s3.endpoint, credentials: { kind: 'keys', accessKeyId: 'AKIAUNKNOWNKEY234567', secretAccessKey: s3Key.secretAccessKey } });
    await assert.rejects(wrong.list(''), StorageAccessDeniedError);
    await store.close();
    await wrong.close();
  });

  test('GCS (S3-compatible XML API with HMAC keys): gs:// URIs and signed GET', async () => {
    const admin = new S3Client({ region: 'auto', endpoint: emulators.gcs.endpoint, forcePathStyle: true, credentials: gcsKey });
    await admin.send(new CreateBucketCommand({ Bucket: 'adapter-gcs' }));
    admin.destroy();
    const store = openS3Store({ flavour: 'gcs', bucket: 'adapter-gcs', region: 'auto', endpoint: emulators.gcs.endpoint, credentials: { kind: 'keys', ...gcsKey } });
    assert.equal(store.rootUri, 'gs://adapter-gcs/');
    await exercise(store, true);
    await store.close();
  });

  test('Azure Blob: shared key and a SAS, signed GET', async () => {
    const credential = new StorageSharedKeyCredential(emulators.azure.accountName, emulators.azure.accountKey);
    const service = new BlobServiceClient(emulators.azure.blobEndpoint, credential);
    const container = service.getContainerClient('adapter-container');
    await container.createIfNotExists();
    const store = openAzureBlobStore({ kind: 'shared-key', container, credential });
    assert.equal(store.rootUri, `${emulators.azure.blobEndpoint}/adapter-container/`);
    await exercise(store, true);

    const access = await store.temporaryAccess('runs/', { write: false, ttlSeconds: 300 });
    assert.equal(access?.kind, 'azure-sas');
  });

  test('SFTP with a password: no signed URL, reads stream', async () => {
    const store = openSftpStore({ host: emulators.sftp.host, port: emulators.sftp.port, username: sftpUser.username, auth: { kind: 'password', password: sftpUser.password } });
    assert.equal(store.rootUri, `sftp://127.0.0.1:${emulators.sftp.port}/`);
    await exercise(store, false);
    await store.close();
    const wrong = openSftpStore({ host: emulators.sftp.host, port: emulators.sftp.port, username: sftpUser.username, auth: { kind: 'password', password: 'nope' } });
    await assert.rejects(wrong.list(''), StorageAccessDeniedError);
    await wrong.close();
  });
});

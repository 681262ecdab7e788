// Finding a run's landed folder at an Azure Blob store (the emulator): the first listing covers only
// the exportTime folders the run's window can name, so earlier runs under the same path are not
// listed again; the dataset folder is listed whole only when the run's manifest is not in there.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { locateRunFolder } from '../../src/exports/landed-run-folder.js';
import { openConnectionStringContainer } from '../../src/storage/azure-stores.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { startStorageEmulators, type StorageEmulators } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';

const CONTAINER = 'landed-runs';
const exp = { path: 'out', datasetId: 'ds1' };

let emulators: StorageEmulators;
let directory: string;
let store: ObjectStore;
const listed: string[] = [];

async function land(folder: string, runId: string, parts: string[]): Promise<void> {
  for (const part of parts) await store.write(`out/ds1/${folder}/${part}`, new TextEncoder().encode('{}\n'));
  await store.write(`out/ds1/${folder}/manifest-${runId}.json`, new TextEncoder().encode(JSON.stringify({ files: parts.map((name) => ({ name })) })));
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'landed-run-folder-'));
  emulators = await startStorageEmulators({ host: '127.0.0.1', directory, azuritePort: 0, s3Port: 0, gcsPort: 0, sftpPort: 0, s3Keys: [], gcsKeys: [], sftpUsers: [] });
  await BlobServiceClient.fromConnectionString(emulators.azure.connectionString).getContainerClient(CONTAINER).createIfNotExists();
  const opened = openConnectionStringContainer(emulators.azure.connectionString, CONTAINER);
  // The real store, with each listing's prefix noted.
  store = { ...opened, list: (prefix) => (listed.push(prefix), opened.list(prefix)) };
  await land('exportTime=20260105093000', 'run-old', ['part-00000.json']);
  await land('exportTime=20260107101500', 'run-new', ['part-00000.json', 'part-00001.json']);
  // Another run's part in the same minute folder, not named by run-new's manifest.
  await store.write('out/ds1/exportTime=20260107101500/part-other.json', new TextEncoder().encode('{}\n'));
});

after(async () => {
  await emulators.close();
  await rm(directory, { recursive: true, force: true });
});

describe('locating a run folder', () => {
  test('lists only the window first, and takes the files the manifest names', async () => {
    listed.length = 0;
    const folder = await locateRunFolder(store, exp, { platformRunId: 'run-new', startedAt: new Date('2026-01-07T10:15:00Z'), completedAt: new Date('2026-01-07T10:16:30Z') });
    assert.deepEqual(listed, ['out/ds1/exportTime=20260107101'], 'one listing, of the ten minutes the window lies in');
    assert.equal(folder?.folderPath, 'out/ds1/exportTime=20260107101500/');
    assert.deepEqual(folder?.files.map((f) => f.path.split('/').pop()), ['manifest-run-new.json', 'part-00000.json', 'part-00001.json']);
  });

  test('a manifest outside the window is still found, by listing the dataset folder', async () => {
    listed.length = 0;
    const folder = await locateRunFolder(store, exp, { platformRunId: 'run-old', startedAt: new Date('2026-01-07T10:15:00Z'), completedAt: new Date('2026-01-07T10:16:30Z') });
    assert.deepEqual(listed, ['out/ds1/exportTime=20260107101', 'out/ds1/']);
    assert.equal(folder?.folderPath, 'out/ds1/exportTime=20260105093000/');
  });

  test('without a known window the dataset folder is listed once', async () => {
    listed.length = 0;
    const folder = await locateRunFolder(store, exp, { platformRunId: 'run-new', startedAt: null, completedAt: null });
    assert.deepEqual(listed, ['out/ds1/']);
    assert.equal(folder?.folderPath, 'out/ds1/exportTime=20260107101500/');
  });
});

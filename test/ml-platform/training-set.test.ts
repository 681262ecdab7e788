// Reading a training set through its signed URLs: gzip-codec `.gz.parquet` parts (the simulator's
// export encoding) and plain `.parquet` (hyparquet-writer) from an emulated object store, in URI
// order; a file that is not Parquet fails naming it. And the deterministic user split.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { TrainingFile } from '../../src/ml-contract/job-parameters.js';
import { numericValue } from '../../packages/stand-ins/src/ml-platform/logistic-regression.js';
import { isHeldOut, readTrainingFiles, splitByUser, TrainingSetError } from '../../packages/stand-ins/src/ml-platform/training-set.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { syntheticTrainingSet, type TrainingExample } from './featurize.js';
import { startSignedStorage, type SignedStorage } from './signed-storage.js';

async function signedFiles(store: ObjectStore, folder: string): Promise<TrainingFile[]> {
  const files: TrainingFile[] = [];
  for (const file of await store.list(`${folder}/`)) {
    const signed = await store.signedReadUrl(file.path, 300);
    assert.ok(signed);
    files.push({ uri: file.uri, url: signed.url, size: file.size });
  }
  return files;
}

void describe('ml training set: reading Parquet through signed URLs', () => {
  let storage: SignedStorage;
  let examples: TrainingExample[];

  before(async () => {
    storage = await startSignedStorage();
    examples = syntheticTrainingSet(120, 'training-set-read');
    await storage.land(storage.azure, examples, 'set/egress', 50);
  });
  after(async () => {
    await storage.close();
  });

  void test('reads every gzip part back into the rows that were landed', async () => {
    const files = await signedFiles(storage.azure, 'set/egress');
    const set = await readTrainingFiles([...files].reverse());
    assert.equal(set.files.length, 3);
    assert.deepEqual(set.files, files.map((f) => f.uri).sort());
    assert.equal(set.rows.length, examples.length);
    const byUser = new Map(set.rows.map((row) => [String(row.userId), row]));
    for (const example of examples) {
      const row = byUser.get(example.userId);
      assert.ok(row !== undefined, example.userId);
      assert.equal(numericValue(row.subscriptionOccurred), example.label);
      assert.equal(numericValue(row.emailsReceived), example.row.emailsReceived);
      assert.equal(row.minutes_since_emailSent ?? null, example.row.minutes_since_emailSent);
    }
  });

  void test('reads plain Parquet; a file that is not Parquet fails naming it', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'userId', data: ['u1', 'u2'], type: 'STRING' },
        { name: 'score', data: [1.5, 2.5], type: 'DOUBLE' },
      ],
    });
    await storage.s3.write('plain/part-00000-c000.parquet', new Uint8Array(buffer));
    const set = await readTrainingFiles(await signedFiles(storage.s3, 'plain'));
    assert.deepEqual(
      set.rows.map((r) => [r.userId, r.score]),
      [
        ['u1', 1.5],
        ['u2', 2.5],
      ],
    );
    await storage.s3.write('broken/part-00000.parquet', new TextEncoder().encode('not parquet'));
    await assert.rejects(readTrainingFiles(await signedFiles(storage.s3, 'broken')), (error: unknown) => error instanceof TrainingSetError && /broken\/part-00000\.parquet is not readable Parquet/.test(error.message));
    await assert.rejects(readTrainingFiles([]), TrainingSetError);
  });
});

void describe('ml training set: train/held-out split', () => {
  void test('is a stable function of the user id with about the requested share held out', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `user-${i}`);
    const held = ids.filter((id) => isHeldOut(id, 0.2)).length;
    // Binomial(5000, 0.2): standard deviation about 28 users; ±150 is over five of them.
    assert.ok(Math.abs(held - 1000) < 150, `held out ${held}`);
    assert.deepEqual(
      ids.map((id) => isHeldOut(id, 0.2)),
      ids.map((id) => isHeldOut(id, 0.2)),
    );
    assert.equal(ids.filter((id) => isHeldOut(id, 0)).length, 0);
  });

  void test('keeps all rows of one user on the same side', () => {
    const rows = Array.from({ length: 600 }, (_, i) => ({ userId: `u${i % 50}`, n: i }));
    const split = splitByUser(rows, 'userId', 0.3);
    const trainUsers = new Set(split.train.map((r) => r.userId));
    assert.ok(split.test.every((r) => !trainUsers.has(r.userId)));
    assert.equal(split.train.length + split.test.length, rows.length);
    assert.ok(split.test.every((r) => isHeldOut(r.userId, 0.3)));
  });
});

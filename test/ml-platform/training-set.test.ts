// Reading a landed training set: every Parquet part under the folder (gzip-codec `.gz.parquet`
// from the simulator's export writer and plain `.parquet` from hyparquet-writer), skipping
// in-progress files, refusing paths outside the landing zone; and the deterministic user split.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { numericValue } from '../../src/ml-platform/logistic-regression.js';
import { isHeldOut, readLandedTrainingSet, splitByUser, TrainingSetError } from '../../src/ml-platform/training-set.js';
import { UnsafeLandingPathError } from '../../src/simulator/landing/landing-path.js';
import { landTrainingSet, syntheticTrainingSet, temporaryLandingZone, type TrainingExample } from './featurize.js';

void describe('ml training set: reading landed Parquet', () => {
  let root: string;
  let examples: TrainingExample[];
  let folder: string;

  before(async () => {
    root = await temporaryLandingZone();
    examples = syntheticTrainingSet(120, 'training-set-read');
    const landed = await landTrainingSet(root, examples);
    folder = landed.manifest.folder;
    assert.ok(landed.manifest.files.every((f) => f.name.endsWith('.gz.parquet')));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void test('reads every gzip part back into the rows that were landed', async () => {
    const set = await readLandedTrainingSet(root, folder);
    assert.equal(set.files.length, Math.ceil(examples.length / 400));
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

  void test('reads plain Parquet in nested folders and ignores in-progress files', async () => {
    const extra = join(root, 'plain', 'exportTime=202605011300');
    await mkdir(extra, { recursive: true });
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'userId', data: ['u1', 'u2'], type: 'STRING' },
        { name: 'score', data: [1.5, 2.5], type: 'DOUBLE' },
      ],
    });
    await writeFile(join(extra, 'part-00000-c000.parquet'), new Uint8Array(buffer));
    await writeFile(join(extra, 'part-00001-c000.parquet.1234.inprogress'), 'not parquet');
    const set = await readLandedTrainingSet(root, 'plain');
    assert.deepEqual(
      set.rows.map((r) => [r.userId, r.score]),
      [
        ['u1', 1.5],
        ['u2', 2.5],
      ],
    );
    assert.deepEqual(set.files, ['plain/exportTime=202605011300/part-00000-c000.parquet']);
  });

  void test('fails clearly for an empty folder and refuses paths outside the landing zone', async () => {
    await assert.rejects(readLandedTrainingSet(root, `missing-${randomUUID()}`), TrainingSetError);
    await assert.rejects(readLandedTrainingSet(root, '../elsewhere'), UnsafeLandingPathError);
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

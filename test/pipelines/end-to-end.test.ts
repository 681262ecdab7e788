// The whole CMLE workflow as one pipeline on the local defaults (the simulator and its ML platform):
// featurize -> export -> train and score -> ingest -> audience -> activate. The model's held-out
// AUC, recomputed here from the scores file and the exported labels, is well above 0.5, and the
// audience is non-empty and exactly the scored users inside the band.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { isHeldOut } from '../../src/ml-platform/training-set.js';
import { cmlePipelineSteps } from '../../src/pipelines/cmle-example.js';
import { createDlz, startPipeline, startPipelineWorld, stepOf, waitForPipeline, type PipelineWorld } from './support.js';

let world: PipelineWorld;
before(async () => {
  world = await startPipelineWorld({ simulator: { seedUsers: 1200 } });
});
after(async () => {
  await world.close();
});

/** Exact ROC AUC by counting pairs (ties count one half), independent of the ML platform's code. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  labels.forEach((label, i) => {
    if (label !== 1) return;
    labels.forEach((other, j) => {
      if (other !== 0) return;
      pairs++;
      const a = scores[i] ?? 0;
      const b = scores[j] ?? 0;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

async function parquetRowsUnder(folder: string): Promise<Record<string, unknown>[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const rows: Record<string, unknown>[] = [];
  for (const entry of entries.filter((e) => e.isFile() && e.name.endsWith('.parquet'))) {
    const file = await asyncBufferFromFile(join(entry.parentPath, entry.name));
    rows.push(...(await parquetReadObjects({ file, compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) } })));
  }
  return rows;
}

test('featurize, export, train, score, ingest, audience and activate on the local defaults', async (t) => {
  const destinationId = await createDlz(world.api);
  const accepted = await startPipeline(world.api, {
    name: 'cmle end to end',
    steps: cmlePipelineSteps({ exportDestinationId: destinationId, activationDestinationId: destinationId, exportPath: 'cmle/egress', activationPath: 'cmle/audiences' }),
  });
  assert.equal(accepted.status, 'queued');
  assert.deepEqual(accepted.steps.map((s) => s.state), ['pending', 'pending', 'pending', 'pending', 'pending', 'pending']);

  const done = await waitForPipeline(world.api, accepted.id, undefined, 150_000);
  assert.equal(done.status, 'succeeded', JSON.stringify(done, null, 1));
  assert.ok(done.steps.every((s) => s.state === 'succeeded' && s.startedAt !== null && s.finishedAt !== null && (s.durationMs ?? -1) >= 0));

  const features = stepOf(done, 'features');
  assert.ok(typeof features.externalIds.queryId === 'string');
  const exportStep = stepOf(done, 'training-export');
  assert.equal(exportStep.outputs.landedPath, `cmle/egress/${String(features.outputs.datasetId)}`);
  const ml = stepOf(done, 'train-and-score');
  assert.equal(typeof ml.externalIds.mlRunId, 'number');

  // Labels from the landed training set, scores from the scores file: the held-out AUC, recomputed.
  const training = await parquetRowsUnder(join(world.landingDir, String(exportStep.outputs.landedPath)));
  assert.equal(training.length, features.outputs.rowCount);
  const labelOf = new Map(training.map((row) => [String(row.userId), Number(row.subscriptionOccurred) > 0 ? 1 : 0]));
  const scores = (await readFile(join(world.landingDir, String(ml.outputs.scoresFile)), 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { userId: string; propensity: number });
  assert.equal(scores.length, training.length);
  const heldOut = scores.filter((s) => isHeldOut(s.userId, 0.2));
  const auc = pairwiseAuc(heldOut.map((s) => labelOf.get(s.userId) ?? -1), heldOut.map((s) => s.propensity));
  assert.ok(Math.abs(auc - Number(ml.outputs.auc)) < 1e-9, `recomputed ${auc}, reported ${String(ml.outputs.auc)}`);
  assert.ok(auc > 0.65, `held-out AUC ${auc} is not well above 0.5`);

  // The audience: exactly the scored users inside the band, and not empty.
  const inBand = scores.filter((s) => s.propensity >= 0.2 && s.propensity <= 0.93).length;
  const audience = stepOf(done, 'propensity-band');
  assert.ok(inBand > 0);
  assert.equal(audience.outputs.audienceSize, inBand);
  assert.equal(stepOf(done, 'scores').outputs.records, scores.length);
  const activation = stepOf(done, 'activation');
  assert.equal(activation.outputs.records, inBand);
  t.diagnostic(`held-out AUC ${auc.toFixed(3)} over ${heldOut.length} users; audience ${inBand} of ${scores.length}; ML callback at ${ml.lastCallbackAt ?? 'none'}`);
});

// The whole CMLE workflow as one pipeline on the local defaults (the simulator, its storage
// emulators and its ML platform): featurize -> export -> train and score -> ingest -> audience ->
// activate, with storage passed as URIs and signed URLs only. The training set and the scores file
// are read back from the Data Landing Zone with the Azure SDK; the model's held-out AUC,
// recomputed here from them, is well above 0.5, and the audience is non-empty and exactly the
// scored users inside the band. (The large-file ingest path: ingest-storage.test.ts.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { parseScoreLine, type ScoreLine } from '../../src/ml-contract/scores-file.js';
import { isHeldOut } from '../../packages/stand-ins/src/ml-platform/training-set.js';
import { cmlePipelineSteps } from '../../src/pipelines/cmle-example.js';
import { blobNames, dlzContainerOf, dlzCredentialsOf, downloadBlob, rowsOfPart } from '../support/landed-files.js';
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

interface Location {
  destinationId: string;
  path: string;
  dlzContainer?: string;
  uri: string;
}

async function trainingRows(folder: Location): Promise<Record<string, unknown>[]> {
  const container = await dlzContainerOf(world.sim);
  const rows: Record<string, unknown>[] = [];
  for (const name of (await blobNames(container, folder.path)).filter((n) => n.endsWith('.parquet'))) {
    rows.push(...((await rowsOfPart(name, await downloadBlob(container, name))) as Record<string, unknown>[]));
  }
  return rows;
}

/** The scores file, read from the DLZ user drop zone with the Azure SDK (the SAS the Platform hands out). */
async function scoresAt(file: Location): Promise<ScoreLine[]> {
  assert.equal(file.dlzContainer, 'user_drop_zone');
  const container = new ContainerClient((await dlzCredentialsOf(world.sim, 'user_drop_zone')).SASUri);
  const text = (await container.getBlobClient(file.path).downloadToBuffer()).toString('utf8');
  return text
    .split('\n')
    .map((line, i) => parseScoreLine(line, i + 1))
    .filter((line): line is ScoreLine => line !== null);
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
  const landed = exportStep.outputs.landed as Location;
  assert.equal(landed.destinationId, destinationId);
  assert.match(landed.path, new RegExp(`^cmle/egress/${String(features.outputs.datasetId)}/`));
  assert.match(landed.uri, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/.+\/cmle\/egress\//);
  const ml = stepOf(done, 'train-and-score');
  assert.equal(typeof ml.externalIds.mlRunId, 'number');
  const scoresFile = ml.outputs.scores as Location;
  assert.equal(ml.outputs.scoresUri, scoresFile.uri);
  assert.match(scoresFile.path, new RegExp(`^aepjobs/scores/${done.id}/train-and-score-[0-9a-f]+/scores\\.json$`));

  // Labels from the landed training set, scores from the scores file: the held-out AUC, recomputed.
  const training = await trainingRows(landed);
  assert.equal(training.length, features.outputs.rowCount);
  const labelOf = new Map(training.map((row) => [String(row.userId), Number(row.subscriptionOccurred) > 0 ? 1 : 0]));
  const scores = await scoresAt(scoresFile);
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
  assert.equal(stepOf(done, 'scores').outputs.uploadMode, 'small');
  t.diagnostic(`held-out AUC ${auc.toFixed(3)} over ${heldOut.length} users; audience ${inBand} of ${scores.length}; ML callback at ${ml.lastCallbackAt ?? 'none'}; scores at ${scoresFile.uri}`);
});

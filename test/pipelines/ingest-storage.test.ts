// The ingest step reads the scores file through the storage adapter and streams it into batch
// ingestion. A scores file in the tenant's DLZ user drop zone (put there with the Azure SDK) is
// ingested with the large-file upload when it passes the threshold (set low here), and the
// Platform's dataset then holds exactly its rows; a file with a bad line fails the step naming the
// line before any batch exists; another tenant's DLZ cannot be named (404).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import { encodeScoreLine, type ScoreLine } from '../../src/ml-contract/scores-file.js';
import { datasetStoreFor } from '../../packages/stand-ins/src/simulator/datasets/dataset-store.js';
import { bodyOf } from '../support/api.js';
import { dlzCredentialsOf } from '../support/landed-files.js';
import { createDlz, startPipeline, startPipelineWorld, stepOf, waitForPipeline, type PipelineWorld } from './support.js';

let world: PipelineWorld;
let dlzId: string;
let dropZone: ContainerClient;

before(async () => {
  world = await startPipelineWorld({ simulator: { seedUsers: 20 }, env: { BATCH_LARGE_FILE_BYTES: '4096', BATCH_PART_BYTES: '1500' } });
  dlzId = await createDlz(world.api);
  dropZone = new ContainerClient((await dlzCredentialsOf(world.sim, 'user_drop_zone')).SASUri);
});
after(async () => {
  await world.close();
});

test('a scores file above the large-file threshold goes up in parts and lands row for row', async (t) => {
  const scores: ScoreLine[] = Array.from({ length: 150 }, (_, i) => ({ userId: `ingest-user-${i}`, propensity: Math.round((i / 150) * 1e6) / 1e6 }));
  const body = Buffer.from(scores.map(encodeScoreLine).join(''));
  await dropZone.getBlockBlobClient('handoff/large/scores.json').uploadData(body);

  const accepted = await startPipeline(world.api, {
    name: 'ingest large',
    steps: [{ kind: 'ingest', name: 'scores', scores: { destinationId: dlzId, path: 'handoff/large/scores.json' }, datasetName: 'ingest storage scores' }],
  });
  const done = await waitForPipeline(world.api, accepted.id);
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  const step = stepOf(done, 'scores');
  assert.equal(step.outputs.uploadMode, 'large');
  assert.equal(step.outputs.records, scores.length);
  assert.ok(Number(step.externalIds.scoresBytes) >= 4096, 'the upload really was above the threshold');

  const rows = await datasetStoreFor(world.sim.ctx).readRows({ orgId: world.sim.orgId, sandbox: world.sim.sandbox }, String(step.outputs.datasetId));
  const tenant = `_${String(step.externalIds.registryTenant)}`;
  assert.deepEqual(
    rows.map((r) => (r.row as Record<string, { userid: string; propensity: number }>)[tenant]).sort((a, b) => (a?.userid ?? '').localeCompare(b?.userid ?? '')),
    scores.map((s) => ({ userid: s.userId, propensity: s.propensity })).sort((a, b) => a.userid.localeCompare(b.userid)),
  );
  t.diagnostic(`${String(step.externalIds.scoresBytes)} bytes in parts of 1500`);
});

test('a scores file with a bad line fails the step naming the line, before any batch is created', async () => {
  await dropZone.getBlockBlobClient('handoff/bad/scores.json').uploadData(Buffer.from('{"userId":"a","propensity":0.5}\n{"userId":"b","propensity":1.5}\n'));
  const accepted = await startPipeline(world.api, {
    name: 'ingest bad',
    steps: [{ kind: 'ingest', name: 'scores', scores: { destinationId: dlzId, path: 'handoff/bad/scores.json' }, datasetName: 'ingest storage scores' }],
  });
  const done = await waitForPipeline(world.api, accepted.id);
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.code, 'scores_file_invalid');
  assert.match(done.error?.message ?? '', /line 2/);
  assert.equal(stepOf(done, 'scores').externalIds.batchId, undefined);

  const missing = await startPipeline(world.api, { name: 'ingest missing', steps: [{ kind: 'ingest', name: 'scores', scores: { destinationId: dlzId, path: 'handoff/none/scores.json' } }] });
  const gone = await waitForPipeline(world.api, missing.id);
  assert.equal(gone.error?.code, 'storage_not_found', JSON.stringify(gone.error));
});

test('tenant B cannot name tenant A\'s Data Landing Zone files in an ingest step', async () => {
  const response = await world.api.post(world.api.keys.tenantB, '/pipelines', {
    name: 'steal scores',
    steps: [{ kind: 'ingest', name: 'scores', scores: { destinationId: dlzId, path: 'handoff/large/scores.json' } }],
  });
  assert.equal(response.statusCode, 404, response.body);
  assert.equal(bodyOf<{ errors: { pointer: string }[] }>(response).errors[0]?.pointer, '/steps/0/scores/destinationId');
});

// Inbound ML callbacks. The step waits on a finished ML run with polling pushed far out and the
// platform's own callbacks unable to reach the API, so only the callbacks sent here can move it.
// Wrong secret, one changed byte, a stale (or future) timestamp and a replayed id are refused; a
// valid callback moves the pipeline only through the re-fetched runs/get status (its body claims
// FAILED, the run succeeded, the step succeeds). Databricks notifications need the configured
// basic auth and are deduplicated on run and event type.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ML_PLATFORM_TOKEN } from '../../packages/stand-ins/src/ml-platform/routes.js';
import { signedHeaders, generateWebhookSecret } from '../../src/webhooks/standard-webhooks.js';
import { bodyOf } from '../support/api.js';
import { encodeParquet } from '../../packages/stand-ins/src/simulator/landing/parquet-part.js';
import { syntheticTrainingSet, TRAINING_SET_FIELDS } from '../ml-platform/featurize.js';
import { BlobServiceClient } from '@azure/storage-blob';
import { dlzCredentialsOf } from '../support/landed-files.js';
import { createDlz, getPipeline, startPipeline, startPipelineWorld, stepOf, waitForPipeline, type PipelineWorld } from './support.js';

const BASIC = { username: 'ml-hooks', password: 'fake-password-for-tests' };
let world: PipelineWorld;
let dlzId: string;

before(async () => {
  world = await startPipelineWorld({
    listen: false,
    simulator: { seedUsers: 20 },
    env: { PUBLIC_URL: 'http://api.test', ML_POLL_INITIAL_MS: '600000', ML_POLL_MAX_MS: '600000', ML_WEBHOOK_BASIC_AUTH: `${BASIC.username}:${BASIC.password}` },
  });
  // A training set in the tenant's Data Landing Zone, put there as the Platform would land it (the
  // tenant's own SAS only reads that container), with the emulator account's key.
  dlzId = await createDlz(world.api);
  const rows = syntheticTrainingSet(300, 'pipeline-webhooks').map((e) => e.row);
  const part = encodeParquet(rows, TRAINING_SET_FIELDS, 'GZIP');
  const container = BlobServiceClient.fromConnectionString(world.sim.storage.azure.connectionString).getContainerClient((await dlzCredentialsOf(world.sim)).containerName);
  await container.getBlockBlobClient('webhooks/egress/part-00000.gz.parquet').uploadData(part);
});
after(async () => {
  await world.close();
});

interface WaitingMl {
  pipelineId: string;
  runId: number;
}

/** A one-step ml pipeline whose run has finished at the ML platform while the step still waits. */
async function waitingMlStep(callback: 'signed' | 'databricks'): Promise<WaitingMl> {
  const accepted = await startPipeline(world.api, { name: `ml ${callback}`, steps: [{ kind: 'ml', name: 'train', training: { destinationId: dlzId, path: 'webhooks/egress' }, callback }] });
  const started = await waitForPipeline(world.api, accepted.id, (p) => typeof stepOf(p, 'train').externalIds.mlRunId === 'number' && p.status === 'waiting');
  const runId = Number(stepOf(started, 'train').externalIds.mlRunId);
  for (let i = 0; ; i++) {
    const run = await fetch(`${world.sim.url}/ml/api/2.1/jobs/runs/get?run_id=${runId}`, { headers: { authorization: `Bearer ${DEFAULT_ML_PLATFORM_TOKEN}` } });
    const body = (await run.json()) as { state: { life_cycle_state: string; result_state?: string } };
    if (body.state.life_cycle_state === 'TERMINATED') {
      assert.equal(body.state.result_state, 'SUCCESS');
      break;
    }
    assert.ok(i < 1200, 'the ML run did not finish');
    await sleep(50);
  }
  return { pipelineId: accepted.id, runId };
}

async function stepSecret(pipelineId: string): Promise<string> {
  const step = await world.api.database.db.pipelineStep.findFirstOrThrow({ where: { pipelineId, name: 'train' } });
  assert.ok(step.webhookSecretSealed !== null);
  return world.api.secrets.open(step.webhookSecretSealed);
}

function post(pipelineId: string, body: string, headers: Record<string, string>) {
  return world.api.app.inject({ method: 'POST', url: `/webhooks/ml/${pipelineId}/train`, payload: body, headers: { 'content-type': 'application/json', ...headers } });
}

const eventBody = (runId: number, resultState: string) =>
  JSON.stringify({ type: 'run.completed', timestamp: new Date().toISOString(), data: { run_id: runId, life_cycle_state: 'TERMINATED', result_state: resultState } });

describe('Standard Webhooks callbacks', () => {
  let ml: WaitingMl;
  let secret: string;
  before(async () => {
    ml = await waitingMlStep('signed');
    secret = await stepSecret(ml.pipelineId);
  });

  test('wrong secret, a changed byte, stale and future timestamps are refused and move nothing', async () => {
    const body = eventBody(ml.runId, 'SUCCESS');
    const now = Math.floor(Date.now() / 1000);
    // ±310 s: outside the 300 s window even when the server's clock has ticked into the next second.
    const cases: [string, string, Record<string, string>, string][] = [
      ['wrong secret', body, signedHeaders({ id: 'msg_wrong_secret', timestamp: now, body, secrets: generateWebhookSecret() }), 'bad_signature'],
      ['body changed by one byte', body.replace('"SUCCESS"', '"SUCCESs"'), signedHeaders({ id: 'msg_one_byte', timestamp: now, body, secrets: secret }), 'bad_signature'],
      ['stale timestamp', body, signedHeaders({ id: 'msg_stale', timestamp: now - 310, body, secrets: secret }), 'stale_timestamp'],
      ['future timestamp', body, signedHeaders({ id: 'msg_future', timestamp: now + 310, body, secrets: secret }), 'future_timestamp'],
    ];
    for (const [what, sent, headers, reason] of cases) {
      const response = await post(ml.pipelineId, sent, headers);
      assert.equal(response.statusCode, 401, `${what}: ${response.body}`);
      assert.equal(bodyOf<{ reason: string }>(response).reason, reason, what);
    }
    await sleep(300);
    const still = await getPipeline(world.api, ml.pipelineId);
    assert.equal(still.status, 'waiting');
    assert.equal(stepOf(still, 'train').lastCallbackAt, null);
  });

  test('a valid callback moves the pipeline by the re-fetched status, not its body; a replay is refused', async () => {
    // The body claims FAILED; the run succeeded at the ML platform.
    const body = eventBody(ml.runId, 'FAILED');
    const headers = signedHeaders({ id: 'msg_valid_callback', timestamp: Math.floor(Date.now() / 1000), body, secrets: secret });
    const before = await getPipeline(world.api, ml.pipelineId);
    assert.equal(before.status, 'waiting');

    const accepted = await post(ml.pipelineId, body, headers);
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.deepEqual(bodyOf(accepted), { status: 'accepted', runId: ml.runId });
    const done = await waitForPipeline(world.api, ml.pipelineId, undefined, 20_000);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    const step = stepOf(done, 'train');
    assert.ok(step.lastCallbackAt !== null);
    assert.match(String(step.outputs.scoresUri), /\/aepjobs\/scores\/.+\/scores\.json$/);

    const replayed = await post(ml.pipelineId, body, headers);
    assert.equal(replayed.statusCode, 409, replayed.body);
    assert.equal(bodyOf<{ reason: string }>(replayed).reason, 'replayed');
  });

  test('a signed callback about another run is refused', async () => {
    const other = await waitingMlStep('signed');
    const otherSecret = await stepSecret(other.pipelineId);
    const body = eventBody(other.runId + 1000, 'SUCCESS');
    const response = await post(other.pipelineId, body, signedHeaders({ id: 'msg_other_run', timestamp: Math.floor(Date.now() / 1000), body, secrets: otherSecret }));
    assert.equal(response.statusCode, 422, response.body);
    assert.equal((await getPipeline(world.api, other.pipelineId)).status, 'waiting');
  });
});

describe('Databricks job notifications', () => {
  test('need the configured basic auth, are deduplicated, and wake the pipeline to re-fetch', async () => {
    const ml = await waitingMlStep('databricks');
    const notification = JSON.stringify({ event_type: 'jobs.on_success', workspace_id: 'local-ml-platform', run: { run_id: ml.runId }, job: { job_id: 1, name: 'train-and-score' } });
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

    assert.equal((await post(ml.pipelineId, notification, {})).statusCode, 401);
    assert.equal((await post(ml.pipelineId, notification, basic(BASIC.username, 'wrong'))).statusCode, 401);
    assert.equal((await getPipeline(world.api, ml.pipelineId)).status, 'waiting');

    const accepted = await post(ml.pipelineId, notification, basic(BASIC.username, BASIC.password));
    assert.equal(accepted.statusCode, 202, accepted.body);
    const done = await waitForPipeline(world.api, ml.pipelineId, undefined, 20_000);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));

    const again = await post(ml.pipelineId, notification, basic(BASIC.username, BASIC.password));
    assert.equal(again.statusCode, 409);
  });
});

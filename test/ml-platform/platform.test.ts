// The local ML platform against the ML job contract (docs/ml-platform.md), with the training set in
// an emulated object store: run-now with the contract's storage parameters (signed GET URLs for
// the Parquet parts, a signed PUT URL for the scores file), poll runs/get to TERMINATED/SUCCESS,
// the scores file read back with the store's SDK (held-out AUC recomputed from it), signed and
// Databricks-style callbacks received on a local listener, expired and missing objects, failing
// runs, dropped callbacks, bearer auth, cancel, idempotency, and the restart policy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { RunResultSchema } from '../../src/ml-contract/run-result.js';
import { rocAuc } from '../../packages/stand-ins/src/ml-platform/metrics.js';
import { isHeldOut } from '../../packages/stand-ins/src/ml-platform/training-set.js';
import { INTERRUPTED_MESSAGE } from '../../packages/stand-ins/src/ml-platform/jobs.js';
import { quoteIdent } from '../../packages/stand-ins/src/common/sql-ident.js';
import { generateWebhookSecret, verify } from '../../src/webhooks/standard-webhooks.js';
import { syntheticTrainingSet, type TrainingExample } from './featurize.js';
import { startSignedStorage, type SignedStorage } from './signed-storage.js';
import {
  callbackRunId,
  callbackStatus,
  createTestSchema,
  settledCallbackStatus,
  startCallbackListener,
  startPlatform,
  type CallbackListener,
  type RunGet,
  type TestPlatform,
  type TestSchema,
} from './platform-support.js';

const RUN_NOW = '/api/2.1/jobs/run-now';
const BASIC_AUTH = { username: 'ml-notify', password: 'test-only-password' };

interface RunNowAnswer {
  run_id: number;
  number_in_job: number;
}

void describe('ml platform: Databricks Jobs API on a landed training set', () => {
  const trainingFolder = 'cmle/egress/mltrainingset01/exportTime=20260501120000';
  let db: TestSchema;
  let storage: SignedStorage;
  let examples: TrainingExample[];
  let listener: CallbackListener;
  let platform: TestPlatform;

  before(async () => {
    db = await createTestSchema();
    storage = await startSignedStorage();
    examples = syntheticTrainingSet(1500, 'ml-platform-e2e');
    await storage.land(storage.azure, examples, trainingFolder);
    listener = await startCallbackListener();
    platform = await startPlatform(db, { callbackBasicAuth: BASIC_AUTH });
  });
  after(async () => {
    await platform.app.close();
    await listener.close();
    await db.drop();
    await storage.close();
  });

  /** A fresh scores folder per run, so runs never share a scores file. */
  const scoresFolder = () => `cmle/ingress/${randomBytes(4).toString('hex')}`;
  const storageParameters = (folder = scoresFolder()) => storage.parameters(storage.azure, trainingFolder, folder);

  const runNow = async (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<RunNowAnswer & { scoresFolder: string; parameters: Record<string, string> }> => {
    const folder = scoresFolder();
    const signed = await storageParameters(folder);
    const { status, body } = await platform.call<RunNowAnswer>('POST', RUN_NOW, { job_id: 42, job_parameters: { ...signed, ...parameters }, ...extra });
    assert.equal(status, 200, JSON.stringify(body));
    return { ...body, scoresFolder: folder, parameters: signed };
  };

  void test('trains, scores every row, reports held-out AUC > 0.6 and sends a signed callback', async () => {
    const secret = generateWebhookSecret();
    const started = await runNow({ callback_url: listener.url, callback_secret: secret });
    assert.equal(started.number_in_job, started.run_id);

    const run = await platform.waitForTerminal(started.run_id);
    assert.equal(run.state.life_cycle_state, 'TERMINATED');
    assert.equal(run.state.result_state, 'SUCCESS', run.state.state_message);
    assert.equal(run.job_id, 42);
    assert.ok(run.end_time >= run.start_time && run.start_time > 0);
    assert.match(run.run_page_url, new RegExp(`#job/42/run/${started.run_id}$`));
    const output = run.output;
    assert.ok(output !== undefined);
    // The result is the contract's, and names the scores URI the job was given.
    assert.ok(RunResultSchema.safeParse(output).success);
    assert.equal(output.scores_uri, started.parameters.scores_uri);

    // The scores file holds the whole population, one line per landed row, read with the store's SDK.
    const scores = await storage.readScores(storage.azure, started.scoresFolder);
    assert.equal(scores.length, examples.length);
    assert.equal(output.scored_rows, examples.length);
    assert.deepEqual(new Set(scores.map((s) => s.userId)), new Set(examples.map((e) => e.userId)));

    // Held-out AUC recomputed from the file and our own labels agrees with the reported one.
    const labelOf = new Map(examples.map((e) => [e.userId, e.label]));
    const heldOut = scores.filter((s) => isHeldOut(s.userId, 0.2));
    assert.equal(heldOut.length, output.rows_holdout);
    const auc = rocAuc(
      heldOut.map((s) => labelOf.get(s.userId) ?? 0),
      heldOut.map((s) => s.propensity),
    );
    assert.ok(output.auc_holdout !== null && Math.abs(auc - output.auc_holdout) < 1e-12);
    assert.ok(auc > 0.6, `held-out AUC ${auc}`);
    assert.ok(output.auc_train !== null && output.auc_train > 0.6);

    // The callback verifies with the run's secret on the raw body and points at the run.
    const callback = await listener.waitFor((c) => callbackRunId(c) === started.run_id);
    const verified = verify({ headers: callback.headers, rawBody: callback.rawBody, secrets: secret });
    assert.equal(verified.ok, true, JSON.stringify(verified));
    assert.equal(verify({ headers: callback.headers, rawBody: callback.rawBody, secrets: generateWebhookSecret() }).ok, false);
    const event = JSON.parse(callback.rawBody) as { type: string; data: Record<string, unknown> };
    assert.equal(event.type, 'run.completed');
    assert.equal(event.data.result_state, 'SUCCESS');
    assert.equal(event.data.scores_uri, output.scores_uri);
    assert.equal(callback.headers.authorization, undefined, 'signed callbacks carry no basic auth');
    assert.deepEqual(await settledCallbackStatus(db, started.run_id), { status: 'delivered', attempts: 1 });

    const result = await platform.call<{ notebook_output: { result: string } }>('GET', `/api/2.1/jobs/runs/get-output?run_id=${started.run_id}`);
    assert.deepEqual(JSON.parse(result.body.notebook_output.result), output);
  });

  void test('without a secret it sends a Databricks job notification with basic auth', async () => {
    const started = await runNow({ callback_url: listener.url });
    const callback = await listener.waitFor((c) => callbackRunId(c) === started.run_id);
    assert.deepEqual(JSON.parse(callback.rawBody), {
      event_type: 'jobs.on_success',
      workspace_id: 'local-ml-platform',
      run: { run_id: started.run_id },
      job: { job_id: 42, name: 'train-and-score' },
    });
    assert.equal(callback.headers.authorization, `Basic ${Buffer.from(`${BASIC_AUTH.username}:${BASIC_AUTH.password}`).toString('base64')}`);
    assert.equal(callback.headers['webhook-signature'], undefined);
    assert.equal((await platform.waitForTerminal(started.run_id)).state.result_state, 'SUCCESS');
  });

  void test('a run asked to fail ends TERMINATED/FAILED and notifies on_failure', async () => {
    const started = await runNow({ callback_url: listener.url, simulate_failure: 'true' });
    const run = await platform.waitForTerminal(started.run_id);
    assert.equal(run.state.life_cycle_state, 'TERMINATED');
    assert.equal(run.state.result_state, 'FAILED');
    assert.match(run.state.state_message, /Simulated failure/);
    assert.equal(run.output, undefined);
    const callback = await listener.waitFor((c) => callbackRunId(c) === started.run_id);
    assert.equal((JSON.parse(callback.rawBody) as { event_type: string }).event_type, 'jobs.on_failure');
    const failedOutput = await platform.call<{ error: string }>('GET', `/api/2.1/jobs/runs/get-output?run_id=${started.run_id}`);
    assert.match(failedOutput.body.error, /Simulated failure/);
  });

  void test('the failRuns knob fails the next run only; a missing feature column fails with its name', async () => {
    platform.handle.faults.set({ failRuns: 1 });
    const failed = await platform.waitForTerminal((await runNow({})).run_id);
    assert.equal(failed.state.result_state, 'FAILED');
    assert.equal(platform.handle.faults.current().failRuns, 0);

    const misspelt = await platform.waitForTerminal((await runNow({ feature_columns: 'emailsClicked,noSuchFeature' })).run_id);
    assert.equal(misspelt.state.result_state, 'FAILED');
    assert.match(misspelt.state.state_message, /noSuchFeature/);

  });

  void test('a training file that is not there, or a signed URL that expired, fails the run naming the object (without the signature)', async () => {
    const missing = await storage.azure.signedReadUrl('cmle/egress/nothing-here/part-00000.gz.parquet', 600);
    assert.ok(missing !== null);
    const files = JSON.stringify([{ uri: storage.azure.uriOf('cmle/egress/nothing-here/part-00000.gz.parquet'), url: missing.url, size: 1 }]);
    const gone = await platform.waitForTerminal((await runNow({ training_files: files })).run_id);
    assert.equal(gone.state.result_state, 'FAILED');
    assert.match(gone.state.state_message, /nothing-here\/part-00000\.gz\.parquet answered HTTP 404/);
    assert.doesNotMatch(gone.state.state_message, /sig=/);

    // Signed for one second: by the time the run reads it, the store refuses it.
    const shortLived = await storage.parameters(storage.azure, trainingFolder, scoresFolder(), 1);
    await sleep(2500);
    const { body } = await platform.call<RunNowAnswer>('POST', RUN_NOW, { job_id: 42, job_parameters: shortLived });
    const expired = await platform.waitForTerminal(body.run_id);
    assert.equal(expired.state.result_state, 'FAILED');
    assert.match(expired.state.state_message, /HTTP 403 \(the signed URL was refused/);
  });

  void test('S3: reads the parts through presigned GETs and writes the scores with a presigned PUT', async () => {
    const folder = 'ml/egress/s3set/exportTime=20260501120000';
    await storage.land(storage.s3, examples.slice(0, 600), folder, 250);
    const signed = await storage.parameters(storage.s3, folder, 'ml/ingress/s3run');
    assert.match(signed.training_uri ?? '', /^s3:\/\//);
    const { body } = await platform.call<RunNowAnswer>('POST', RUN_NOW, { job_id: 42, job_parameters: signed });
    const run = await platform.waitForTerminal(body.run_id);
    assert.equal(run.state.result_state, 'SUCCESS', run.state.state_message);
    assert.equal(run.output?.scores_uri, signed.scores_uri);
    assert.equal(run.output?.training_files, 3);
    const scores = await storage.readScores(storage.s3, 'ml/ingress/s3run');
    assert.deepEqual(new Set(scores.map((s) => s.userId)), new Set(examples.slice(0, 600).map((e) => e.userId)));
  });

  void test('a dropped callback is never sent while the run itself succeeds', async () => {
    const started = await runNow({ callback_url: listener.url, callback_secret: generateWebhookSecret(), drop_callback: 'true' });
    assert.equal((await platform.waitForTerminal(started.run_id)).state.result_state, 'SUCCESS');
    assert.deepEqual(await settledCallbackStatus(db, started.run_id), { status: 'dropped', attempts: 0 });
    assert.equal(listener.received.filter((c) => callbackRunId(c) === started.run_id).length, 0);

    platform.handle.faults.set({ dropCallbacks: 1 });
    const knob = await runNow({ callback_url: listener.url });
    await platform.waitForTerminal(knob.run_id);
    assert.equal((await settledCallbackStatus(db, knob.run_id)).status, 'dropped');
  });

  void test('bearer auth: a missing token is 401, a wrong one 403 PERMISSION_DENIED', async () => {
    const wrong = await platform.call('POST', RUN_NOW, { job_id: 1, job_parameters: {} }, 'not-a-valid-token');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error_code, 'PERMISSION_DENIED');
    assert.equal(typeof wrong.body.message, 'string');
    const missing = await platform.call('GET', '/api/2.1/jobs/runs/get?run_id=1', undefined, null);
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error_code, 'UNAUTHENTICATED');
  });

  void test('bad parameters and unknown runs answer INVALID_PARAMETER_VALUE', async () => {
    const signed = await storageParameters();
    const bad: Record<string, unknown>[] = [
      { training_files: 'not json' },
      { training_files: '[]' },
      { training_files_url: 'https://storage.example/list.json' },
      { scores_upload_url: 'ftp://x' },
      { scores_uri: undefined },
      { callback_secret: 'whsec_short' },
      { callback_url: 'ftp://x' },
      { unknown_param: '1' },
    ];
    for (const parameters of bad) {
      const { status, body } = await platform.call('POST', RUN_NOW, { job_id: 42, job_parameters: { ...signed, ...parameters } });
      assert.equal(status, 400, JSON.stringify(parameters));
      assert.equal(body.error_code, 'INVALID_PARAMETER_VALUE');
    }
    const unknown = await platform.call('GET', '/api/2.1/jobs/runs/get?run_id=999999');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.message, 'Run 999999 does not exist.');
  });

  void test('an idempotency token returns the same run, also on /api/2.2', async () => {
    const first = await runNow({}, { idempotency_token: 'pipeline-7-ml' });
    const again = await platform.call<RunNowAnswer>('POST', '/api/2.2/jobs/run-now', {
      job_id: 42,
      job_parameters: first.parameters,
      idempotency_token: 'pipeline-7-ml',
    });
    assert.equal(again.body.run_id, first.run_id);
    await platform.waitForTerminal(first.run_id);
  });
});

void describe('ml platform: cancel and restart', () => {
  const trainingFolder = 'restart/egress/set/exportTime=20260501120000';
  let db: TestSchema;
  let storage: SignedStorage;
  let listener: CallbackListener;

  before(async () => {
    db = await createTestSchema();
    storage = await startSignedStorage();
    await storage.land(storage.azure, syntheticTrainingSet(200, 'ml-platform-restart'), trainingFolder);
    listener = await startCallbackListener();
  });
  after(async () => {
    await listener.close();
    await db.drop();
    await storage.close();
  });

  const body = async (extra: Record<string, unknown> = {}) => ({
    job_id: 7,
    job_parameters: { ...(await storage.parameters(storage.azure, trainingFolder, `restart/scores/${randomBytes(4).toString('hex')}`)), callback_url: listener.url, ...extra },
  });

  void test('cancel ends a pending run CANCELED, notifies, and is a no-op afterwards', async () => {
    // A start delay far longer than the test keeps the run PENDING until it is cancelled.
    const platform = await startPlatform(db, { startDelayMs: 3_600_000 });
    try {
      const { body: started } = await platform.call<RunNowAnswer>('POST', RUN_NOW, await body());
      const pending = await platform.call<RunGet>('GET', `/api/2.1/jobs/runs/get?run_id=${started.run_id}`);
      assert.equal(pending.body.state.life_cycle_state, 'PENDING');
      assert.equal(pending.body.state.result_state, undefined);
      assert.equal(pending.body.end_time, 0);

      assert.deepEqual((await platform.call('POST', '/api/2.1/jobs/runs/cancel', { run_id: started.run_id })).body, {});
      const cancelled = await platform.call<RunGet>('GET', `/api/2.1/jobs/runs/get?run_id=${started.run_id}`);
      assert.equal(cancelled.body.state.life_cycle_state, 'TERMINATED');
      assert.equal(cancelled.body.state.result_state, 'CANCELED');
      assert.equal(cancelled.body.state.user_cancelled_or_timedout, true);
      const callback = await listener.waitFor((c) => callbackRunId(c) === started.run_id);
      assert.equal((JSON.parse(callback.rawBody) as { event_type: string }).event_type, 'jobs.on_failure');

      const again = await platform.call('POST', '/api/2.1/jobs/runs/cancel', { run_id: started.run_id });
      assert.equal(again.status, 200);
      assert.equal((await platform.call<RunGet>('GET', `/api/2.1/jobs/runs/get?run_id=${started.run_id}`)).body.state.result_state, 'CANCELED');
      const unknown = await platform.call('POST', '/api/2.1/jobs/runs/cancel', { run_id: 424242 });
      assert.equal(unknown.status, 400);
    } finally {
      await platform.app.close();
    }
  });

  void test('after a restart, pending runs resume and runs cut off mid-way end INTERNAL_ERROR', async () => {
    const first = await startPlatform(db, { startDelayMs: 3_600_000 });
    let pendingId: number;
    let runningId: number;
    try {
      pendingId = (await first.call<RunNowAnswer>('POST', RUN_NOW, await body())).body.run_id;
      runningId = (await first.call<RunNowAnswer>('POST', RUN_NOW, await body())).body.run_id;
    } finally {
      await first.app.close();
    }
    // Simulate a crash while the second run was training.
    await db.pool.query(`UPDATE ${quoteIdent(db.schema)}.ml_runs SET life_cycle_state = 'RUNNING', running_since_ms = start_time_ms WHERE run_id = $1`, [runningId]);

    const second = await startPlatform(db);
    try {
      const resumed = await second.waitForTerminal(pendingId);
      assert.equal(resumed.state.result_state, 'SUCCESS', resumed.state.state_message);
      const interrupted = await second.waitForTerminal(runningId);
      assert.equal(interrupted.state.life_cycle_state, 'INTERNAL_ERROR');
      assert.equal(interrupted.state.result_state, 'FAILED');
      assert.equal(interrupted.state.state_message, INTERRUPTED_MESSAGE);
      for (const id of [pendingId, runningId]) assert.equal((await settledCallbackStatus(db, id)).status, 'delivered');
      const failure = await listener.waitFor((c) => callbackRunId(c) === runningId);
      assert.equal((JSON.parse(failure.rawBody) as { event_type: string }).event_type, 'jobs.on_failure');
    } finally {
      await second.app.close();
    }
  });

  void test('a callback that keeps failing is retried, then recorded as failed', async () => {
    const failing = await startCallbackListener(() => 503);
    const platform = await startPlatform(db);
    try {
      const { body: started } = await platform.call<RunNowAnswer>('POST', RUN_NOW, await body({ callback_url: failing.url }));
      await platform.waitForTerminal(started.run_id);
      assert.deepEqual(await settledCallbackStatus(db, started.run_id), { status: 'failed', attempts: 3 });
      assert.equal(failing.received.length, 3);
      assert.equal((await callbackStatus(db, started.run_id)).status, 'failed');
    } finally {
      await platform.app.close();
      await failing.close();
    }
  });
});

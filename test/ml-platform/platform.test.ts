// The local ML platform end to end on a landed synthetic training set: run-now, poll runs/get to
// TERMINATED/SUCCESS, the scores file read back (held-out AUC recomputed from it), signed and
// Databricks-style callbacks received on a local listener, failing runs, dropped callbacks,
// bearer auth, cancel, idempotency, and the restart policy.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { rocAuc } from '../../src/ml-platform/metrics.js';
import { readScoresFile } from '../../src/ml-platform/scores-file.js';
import { isHeldOut } from '../../src/ml-platform/training-set.js';
import { INTERRUPTED_MESSAGE } from '../../src/ml-platform/jobs.js';
import { quoteIdent } from '../../src/simulator/store/ddl.js';
import { generateWebhookSecret, verify } from '../../src/webhooks/standard-webhooks.js';
import { landTrainingSet, syntheticTrainingSet, temporaryLandingZone, type TrainingExample } from './featurize.js';
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
  let db: TestSchema;
  let landingRoot: string;
  let trainingPath: string;
  let examples: TrainingExample[];
  let listener: CallbackListener;
  let platform: TestPlatform;

  before(async () => {
    db = await createTestSchema();
    landingRoot = await temporaryLandingZone();
    examples = syntheticTrainingSet(1500, 'ml-platform-e2e');
    trainingPath = (await landTrainingSet(landingRoot, examples)).manifest.folder;
    listener = await startCallbackListener();
    platform = await startPlatform(db, landingRoot, { callbackBasicAuth: BASIC_AUTH });
  });
  after(async () => {
    await platform.app.close();
    await listener.close();
    await db.drop();
    await rm(landingRoot, { recursive: true, force: true });
  });

  const runNow = async (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<RunNowAnswer> => {
    const { status, body } = await platform.call<RunNowAnswer>('POST', RUN_NOW, {
      job_id: 42,
      job_parameters: { training_path: trainingPath, scores_path: 'cmle/ingress', ...parameters },
      ...extra,
    });
    assert.equal(status, 200, JSON.stringify(body));
    return body;
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
    assert.equal(output.scores_file, `cmle/ingress/scores-${started.run_id}.json`);

    // The scores file holds the whole population, one line per landed row.
    const scores = await readScoresFile(landingRoot, output.scores_file);
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
    assert.equal(event.data.scores_file, output.scores_file);
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

    const empty = await platform.waitForTerminal((await runNow({ training_path: 'cmle/egress/nothing-here' })).run_id);
    assert.equal(empty.state.result_state, 'FAILED');
    assert.match(empty.state.state_message, /no Parquet parts/);
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
    for (const parameters of [{ training_path: '../../etc' }, { callback_secret: 'whsec_short' }, { callback_url: 'ftp://x' }, { unknown_param: '1' }]) {
      const { status, body } = await platform.call('POST', RUN_NOW, {
        job_id: 42,
        job_parameters: { training_path: trainingPath, scores_path: 'cmle/ingress', ...parameters },
      });
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
      job_parameters: { training_path: trainingPath, scores_path: 'cmle/ingress' },
      idempotency_token: 'pipeline-7-ml',
    });
    assert.equal(again.body.run_id, first.run_id);
    await platform.waitForTerminal(first.run_id);
  });
});

void describe('ml platform: cancel and restart', () => {
  let db: TestSchema;
  let landingRoot: string;
  let trainingPath: string;
  let listener: CallbackListener;

  before(async () => {
    db = await createTestSchema();
    landingRoot = await temporaryLandingZone();
    trainingPath = (await landTrainingSet(landingRoot, syntheticTrainingSet(200, 'ml-platform-restart'))).manifest.folder;
    listener = await startCallbackListener();
  });
  after(async () => {
    await listener.close();
    await db.drop();
    await rm(landingRoot, { recursive: true, force: true });
  });

  const body = (extra: Record<string, unknown> = {}) => ({
    job_id: 7,
    job_parameters: { training_path: trainingPath, scores_path: 'scores', callback_url: listener.url, ...extra },
  });

  void test('cancel ends a pending run CANCELED, notifies, and is a no-op afterwards', async () => {
    // A start delay far longer than the test keeps the run PENDING until it is cancelled.
    const platform = await startPlatform(db, landingRoot, { startDelayMs: 3_600_000 });
    try {
      const { body: started } = await platform.call<RunNowAnswer>('POST', RUN_NOW, body());
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
    const first = await startPlatform(db, landingRoot, { startDelayMs: 3_600_000 });
    let pendingId: number;
    let runningId: number;
    try {
      pendingId = (await first.call<RunNowAnswer>('POST', RUN_NOW, body())).body.run_id;
      runningId = (await first.call<RunNowAnswer>('POST', RUN_NOW, body())).body.run_id;
    } finally {
      await first.app.close();
    }
    // Simulate a crash while the second run was training.
    await db.pool.query(`UPDATE ${quoteIdent(db.schema)}.ml_runs SET life_cycle_state = 'RUNNING', running_since_ms = start_time_ms WHERE run_id = $1`, [runningId]);

    const second = await startPlatform(db, landingRoot);
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
    const platform = await startPlatform(db, landingRoot);
    try {
      const { body: started } = await platform.call<RunNowAnswer>('POST', RUN_NOW, { job_id: 7, job_parameters: { training_path: trainingPath, scores_path: 'scores', callback_url: failing.url } });
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

// Flow Service runs over HTTP, validated against flow-service.yaml: listing by flowId (newest
// first, count, continuation), reading by id, the failing-run fault, and state surviving a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  callValidated,
  createExportFlow,
  expectedDataset,
  findExport,
  finishRun,
  getRun,
  RUNS_PATH,
  startDataSimulator,
  startSimulator,
  startRun,
  type DataSimulator,
  type RunView,
} from './data-support.js';

interface RunList {
  items: RunView[];
  _links: { next?: { href: string } };
}

void describe('simulator data: runs', () => {
  let env: DataSimulator;
  before(async () => {
    env = await startDataSimulator();
  });
  after(async () => {
    await env.sim.close();
  });

  void test('lists a flow’s runs newest first, counts them and pages with a continuation token', async () => {
    const { sim, clock } = env;
    const profiles = expectedDataset(sim, 'profiles');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [profiles.id], path: 'list' });
    const otherFlow = await createExportFlow(sim, clock, { datasetIds: [profiles.id], path: 'other' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sim.appendRows(profiles.id, 3); // with nothing new the Platform starts no run
      runIds.push(await startRun(sim, flowId, profiles.id));
      await finishRun(sim, clock, runIds.at(-1) ?? '');
    }
    const otherRun = await startRun(sim, otherFlow, profiles.id);

    const all = await callValidated<RunList>(sim, 'flow-service.yaml', 'GET', `${RUNS_PATH}?property=flowId==${flowId}`);
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.items.map((r) => r.id),
      [...runIds].reverse(),
    );
    assert.ok(all.body.items.every((r) => r.flowId === flowId));
    assert.ok(!all.body.items.some((r) => r.id === otherRun));

    const count = await callValidated<{ count: number }>(sim, 'flow-service.yaml', 'GET', `${RUNS_PATH}?property=flowId==${flowId}&count=true`);
    assert.deepEqual(count.body, { count: 3 });

    const succeeded = await callValidated<RunList>(
      sim,
      'flow-service.yaml',
      'GET',
      `${RUNS_PATH}?property=flowId==${flowId}&property=metrics.statusSummary.status==success`,
    );
    assert.equal(succeeded.body.items.length, 3);

    const seen: string[] = [];
    let path: string | undefined = `${RUNS_PATH}?property=flowId==${flowId}&limit=2`;
    while (path !== undefined) {
      const page: { body: RunList } = await callValidated<RunList>(sim, 'flow-service.yaml', 'GET', path);
      seen.push(...page.body.items.map((r) => r.id));
      path = page.body._links.next?.href;
    }
    assert.deepEqual(seen, [...runIds].reverse());
  });

  void test('an unknown run id is a Flow Service 404', async () => {
    const result = await callValidated<{ errorMessage: string }>(env.sim, 'flow-service.yaml', 'GET', `${RUNS_PATH}/no-such-run`, {
      allowUndocumentedStatus: true,
    });
    assert.equal(result.status, 404);
    assert.equal(result.body.errorMessage, 'runs not found with id = [no-such-run]');
  });

  void test('with the run-failure fault set, the completing run fails with an Adobe-style error and writes no files', async () => {
    const { sim, clock } = env;
    const events = expectedDataset(sim, 'health-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [events.id], path: 'failing' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    await sim.setFaults({ failNextRuns: 1 });
    const failedId = await startRun(sim, flowId, events.id);
    const failed = await finishRun(sim, clock, failedId);
    assert.equal(failed.metrics.statusSummary.status, 'failed');
    const error = failed.metrics.statusSummary.errors?.[0];
    assert.ok(error);
    assert.match(error.code, /^[A-Z_]{3,}-\d{4}-[A-Z]+$/);
    assert.equal(error.code, 'ACTIVATION_BATCH-0000-FAILED');
    assert.equal(failed.metrics.fileSummary?.outputFileCount, undefined);
    assert.equal(await findExport(sim, 'failing', events.id, failedId), null);

    // The fault was used up: the next run succeeds and, as nothing was exported yet, is a full export.
    const okId = await startRun(sim, flowId, events.id);
    const ok = await finishRun(sim, clock, okId);
    assert.equal(ok.metrics.statusSummary.status, 'success');
    assert.equal(ok.metrics.recordSummary?.outputRecordCount, events.rows.length);
    assert.equal((await findExport(sim, 'failing', events.id, okId))?.manifest.exportMode, 'FULL');
  });

  void test('runs and exports survive a restart; a run due while the simulator was down completes after it', async () => {
    const { sim, clock } = env;
    const profiles = expectedDataset(sim, 'contacts-no-export');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [profiles.id], path: 'restart' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const doneId = await startRun(sim, flowId, profiles.id);
    const done = await finishRun(sim, clock, doneId);
    await sim.appendRows(profiles.id, 5);
    const pendingId = await startRun(sim, flowId, profiles.id);

    await sim.restart();
    assert.deepEqual(await getRun(sim, doneId), done);
    assert.equal((await getRun(sim, pendingId)).metrics.statusSummary.status, 'inProgress');
    const finished = await finishRun(sim, clock, pendingId);
    assert.equal(finished.metrics.statusSummary.status, 'success');
    // Incremental after the restart too: the watermark was persisted, only the 5 new rows go.
    assert.equal(finished.metrics.recordSummary?.outputRecordCount, 5);
  });
});

void describe('simulator data: two simulators sharing one schema', () => {
  void test('both complete the same due run at once; it completes exactly once', async () => {
    const { sim: first, clock } = await startDataSimulator({ runDurationSeconds: 30 });
    const second = await startSimulator({
      dbSchema: first.config.dbSchema,
      landingZoneDir: first.config.landingZoneDir,
      // One set of emulators for both, as two Platform instances share one cloud.
      storage: {
        ...first.config.storage,
        embedded: false,
        external: {
          azureBlobEndpoint: first.storage.azure.blobEndpoint,
          s3Endpoint: first.storage.s3.endpoint,
          gcsEndpoint: first.storage.gcs.endpoint,
          sftpHost: first.storage.sftp.host,
          sftpPort: first.storage.sftp.port,
        },
      },
      seed: first.config.seed,
      seedUsers: first.config.seedUsers,
      notReadySeconds: first.config.notReadySeconds,
      runDurationSeconds: first.config.runDurationSeconds,
      now: clock.now,
    });
    try {
      const events = expectedDataset(first, 'experience-events');
      const flowId = await createExportFlow(first, clock, { datasetIds: [events.id], path: 'shared' });
      clock.advanceSeconds(first.config.notReadySeconds + 1);
      const runId = await startRun(first, flowId, events.id);
      clock.advanceSeconds(first.config.runDurationSeconds + 1);
      const [a, b] = await Promise.all([getRun(first, runId), getRun(second, runId)]);
      assert.equal(a.metrics.statusSummary.status, 'success');
      assert.deepEqual(b, a);
      const landed = await findExport(first, 'shared', events.id, runId);
      assert.ok(landed);
      const written = landed.names.map((name) => name.slice(landed.folder.length + 1)).filter((name) => name.startsWith('part-'));
      assert.deepEqual(written.sort(), landed.manifest.files.map((f) => f.name).sort(), 'only one set of part files');
    } finally {
      await second.close();
      await first.close();
    }
  });
});

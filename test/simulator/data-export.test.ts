// A dataset export end to end over HTTP: ad hoc run, run progress, and the files that land —
// read back with hyparquet (Parquet) and zlib (gzip NDJSON) and compared with the dataset's rows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  createExportFlow,
  expectedDataset,
  findExport,
  finishRun,
  getRun,
  readExportRows,
  startDataSimulator,
  startRun,
  type DataSimulator,
} from './data-support.js';

void describe('simulator data: dataset exports', () => {
  let env: DataSimulator;
  before(async () => {
    env = await startDataSimulator();
  });
  after(async () => {
    await env.sim.close();
  });

  void test('a gzip Parquet export lands in several part files whose rows equal the dataset rows', async () => {
    const { sim, clock } = env;
    const events = expectedDataset(sim, 'experience-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [events.id], format: 'parquet', compression: 'gzip', path: 'cmle/egress' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const runId = await startRun(sim, flowId, events.id);

    const running = await getRun(sim, runId);
    assert.equal(running.metrics.statusSummary.status, 'inProgress');
    assert.equal(running.metrics.durationSummary.completedAtUTC, undefined);
    assert.equal(await findExport(sim, 'cmle/egress', events.id, runId), null, 'no files before the run completes');

    const run = await finishRun(sim, clock, runId);
    assert.equal(run.metrics.statusSummary.status, 'success');
    const landed = await findExport(sim, 'cmle/egress', events.id, runId);
    assert.ok(landed, 'manifest written');
    assert.match(landed.folder, /^cmle\/egress\/[0-9a-f]{24}\/exportTime=\d{12}$/);
    assert.ok(landed.manifest.files.length > 1, 'more than one part file');
    for (const file of landed.manifest.files) assert.match(file.name, /^part-\d{5}-tid-\d+-[0-9a-f-]{36}-\d+-1-c000\.gz\.parquet$/);
    assert.equal(landed.manifest.exportMode, 'FULL');

    const rows = await readExportRows(landed);
    assert.deepEqual(rows, events.rows);
    assert.equal(run.metrics.recordSummary?.outputRecordCount, events.rows.length);
    assert.equal(run.metrics.fileSummary?.outputFileCount, landed.manifest.files.length);
    assert.equal(run.metrics.sizeSummary?.outputBytes, landed.manifest.files.reduce((sum, f) => sum + f.bytes, 0));
    assert.ok((run.metrics.durationSummary.completedAtUTC ?? 0) >= run.metrics.durationSummary.startedAtUTC);
  });

  void test('a gzip NDJSON export reads back to the dataset rows', async () => {
    const { sim, clock } = env;
    const profiles = expectedDataset(sim, 'profiles');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [profiles.id], format: 'JSON', compression: 'GZIP', path: 'json-out' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const runId = await startRun(sim, flowId, profiles.id);
    const run = await finishRun(sim, clock, runId);
    assert.equal(run.metrics.statusSummary.status, 'success');
    const landed = await findExport(sim, 'json-out', profiles.id, runId);
    assert.ok(landed);
    for (const file of landed.manifest.files) assert.match(file.name, /\.json\.gz$/);
    assert.deepEqual(await readExportRows(landed), profiles.rows);
  });

  void test('the next run of the same flow is incremental: it holds only the rows added since', async () => {
    const { sim, clock } = env;
    const events = expectedDataset(sim, 'events-no-data-science');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [events.id], path: 'incremental' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const firstRun = await startRun(sim, flowId, events.id);
    assert.equal((await finishRun(sim, clock, firstRun)).metrics.statusSummary.status, 'success');

    const added = await call<{ appended: number; rows: unknown[] }>(sim, 'POST', `/simulator/admin/datasets/${events.id}/rows`, { body: { count: 37 } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.appended, 37);

    const secondRun = await startRun(sim, flowId, events.id);
    const run = await finishRun(sim, clock, secondRun);
    assert.equal(run.metrics.statusSummary.status, 'success');
    assert.equal(run.metrics.recordSummary?.outputRecordCount, 37);
    const landed = await findExport(sim, 'incremental', events.id, secondRun);
    assert.ok(landed);
    assert.equal(landed.manifest.exportMode, 'INCREMENTAL');
    assert.deepEqual(await readExportRows(landed), added.body.rows);

    // Nothing new: the Platform starts no third run, it answers "run already exists" (CMLE notebooks).
    const third = await call<{ message: string }>(sim, 'POST', '/data/core/activation/disflowprovider/adhocrun', {
      headers: { accept: 'application/vnd.adobe.adhoc.dataset.activation+json; version=1' },
      body: { activationInfo: { destinations: [{ flowId, datasets: [{ id: events.id }] }] } },
    });
    assert.equal(third.status, 400);
    assert.match(third.body.message, /A run already exists for dataset .* exported already/);
  });

  void test('a one-time full export flow exports everything again on every run', async () => {
    const { sim, clock } = env;
    const health = expectedDataset(sim, 'health-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [health.id], path: 'full', exportMode: 'DAILY_FULL_EXPORT' });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const first = await startRun(sim, flowId, health.id);
    await finishRun(sim, clock, first);
    const second = await startRun(sim, flowId, health.id);
    const run = await finishRun(sim, clock, second);
    assert.equal(run.metrics.recordSummary?.outputRecordCount, health.rows.length);
    const landed = await findExport(sim, 'full', health.id, second);
    assert.equal(landed?.manifest.exportMode, 'FULL');
  });
});

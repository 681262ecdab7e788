// Recurring exports under the simulator's schedule time scale (a PT3H flow fires every 2 s): every
// run the Platform starts on the schedule becomes one of the export's runs with its files, and is
// announced once; the first is a full export and the next ones incremental; pause stops new runs
// and resume restarts them; endAt ends the export as `ended`; a failed scheduled run shows on the
// export and in the metrics.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { claimOverdueExports } from '../../src/exports/sweeper.js';
import { bodyOf } from '../support/api.js';
import { countAtPlatform, createDestination, datasetIdByName, EVENTS_DATASET, flowAtPlatform, getExport, setFlowWindowAtPlatform, startWorld, waitForExport, type World } from './helpers.js';

/** Platform seconds per real second: PT3H = 10 800 s every 2 s. */
const TIME_SCALE = 5400;
const INTERVAL_MS = 2000;
const DAY = 24 * 3600;

let world: World;
let datasetId: string;
let destinationId: string;
let hooks: Server;
let callbackUrl: string;

before(async () => {
  world = await startWorld({
    simulator: { scheduleTimeScale: TIME_SCALE },
    env: { RECURRING_POLL_INITIAL_MS: '100', RECURRING_POLL_MAX_MS: '300', ALLOW_PRIVATE_CALLBACKS: 'true' },
  });
  datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
  destinationId = await createDestination(world.api, 'dlz');
  hooks = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
});
after(async () => {
  await new Promise<void>((resolve) => hooks.close(() => resolve()));
  await world.close();
});

async function createRecurring(path: string, schedule: Record<string, unknown>): Promise<ExportView> {
  const response = await world.api.post(world.api.keys.tenantA, '/exports', { datasetId, destinationId, path, format: 'json', compression: 'gzip', schedule, callbackUrl });
  assert.equal(response.statusCode, 202, response.body);
  return bodyOf<ExportView>(response);
}

/** The manifest a run landed, read back through GET /exports/:id/runs/:runId/files/content. */
async function manifestOf(exportId: string, run: ExportView['runs'][number]): Promise<{ exportMode: string; flowRunId: string }> {
  const file = run.landedFiles.find((f) => f.path.includes(`manifest-${run.platformRunId}`));
  assert.ok(file, `run ${run.platformRunId} has a manifest among ${JSON.stringify(run.landedFiles)}`);
  const response = await world.api.get(world.api.keys.tenantA, `/exports/${exportId}/runs/${run.id}/files/content?path=${encodeURIComponent(file.path)}`);
  assert.equal(response.statusCode, 200, response.body);
  return JSON.parse(response.body) as { exportMode: string; flowRunId: string };
}

async function runEventsOf(exportId: string): Promise<{ event: string; runId: string }[]> {
  const rows = await world.api.database.db.notificationDelivery.findMany({ where: { resourceId: exportId, event: { startsWith: 'export.run.' } } });
  return rows.map((r) => ({ event: r.event, runId: (r.payload as { data: { runId: string } }).data.runId }));
}

async function platformRuns(flowId: string): Promise<number> {
  return countAtPlatform(world.sim, 'runs', [`flowId==${flowId}`]);
}

/** Polls the flow at the Platform until its end (epoch seconds) is past `after`. */
async function waitForFlowEndAfter(flowId: string, after: number): Promise<number> {
  const until = Date.now() + 60_000;
  let end: number | undefined;
  while (Date.now() < until) {
    end = (await flowAtPlatform(world.sim, flowId)).scheduleParams.endTime;
    if (end !== undefined && end > after) return end;
    await sleep(100);
  }
  assert.fail(`the flow's end stayed at ${String(end)}`);
}

describe('a recurring export', () => {
  test('a PT3H export records its scheduled runs with their files, each announced once, first full then incremental, and ends at endAt', async () => {
    const created = await createRecurring('recurring/pt3h', { every: 'PT3H' });
    assert.equal(created.status, 'queued');

    const active = await waitForExport(world.api, created.id, (e) => e.status === 'active', 60_000);
    assert.equal(active.step, 'watch_runs');
    assert.ok(active.nextRunAt !== null, 'an active export names its next run');
    const polled = await waitForExport(world.api, created.id, (e) => e.runs.filter((r) => r.state === 'succeeded' && r.folderUri !== null).length >= 3, 60_000);
    // Checking for new runs is not a failed attempt: after many polls of a healthy flow, none.
    const row = await world.api.database.db.export.findUniqueOrThrow({ where: { id: created.id }, select: { claims: true } });
    assert.ok(row.claims >= 3, `the worker looked at the export repeatedly (${row.claims} claims)`);
    assert.equal(polled.attempts, 0);

    // Ending it: endAt a moment from now (the flow's endTime follows, PATCH with If-Match).
    const endAt = new Date(Date.now() + 1500).toISOString();
    const patched = await world.api.patch(world.api.keys.tenantA, `/exports/${created.id}`, { schedule: { endAt } });
    assert.equal(patched.statusCode, 200, patched.body);
    const ended = await waitForExport(world.api, created.id, (e) => ['ended', 'failed', 'cancelled'].includes(e.status), 60_000);
    assert.equal(ended.status, 'ended', JSON.stringify(ended.error));
    assert.equal(ended.nextRunAt, null);
    assert.ok(ended.runs.length >= 3, `at least three scheduled runs, got ${ended.runs.length}`);
    assert.equal(await platformRuns(ended.platform.flowId!), ended.runs.length, 'every Platform run of the flow is one of its runs');
    const byStart = [...ended.runs].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    for (const run of byStart) {
      assert.equal(run.state, 'succeeded', JSON.stringify(run.errors));
      assert.ok(run.platformRunId);
      assert.ok(run.folderUri, 'the run folder was listed through the storage adapter');
      assert.ok(run.landedFiles.length >= 1, 'each run has its files');
      // Its own files only, though runs of the same minute share an exportTime folder.
      const manifests = run.landedFiles.filter((f) => /\/manifest-[^/]+\.json$/.test(f.path));
      assert.deepEqual(manifests.map((f) => f.path.split('/').at(-1)), [`manifest-${run.platformRunId}.json`]);
    }
    assert.equal(ended.lastRun?.id, byStart.at(-1)?.id);

    const modes: string[] = [];
    for (const run of byStart) modes.push((await manifestOf(ended.id, run)).exportMode);
    assert.deepEqual(modes, ['FULL', ...byStart.slice(1).map(() => 'INCREMENTAL')]);

    const events = await runEventsOf(ended.id);
    assert.deepEqual(events.map((e) => e.runId).sort(), byStart.map((r) => r.id).sort(), 'exactly one announcement per run');
    assert.ok(events.every((e) => e.event === 'export.run.succeeded'));
    const endedEvents = await world.api.database.db.notificationDelivery.count({ where: { resourceId: ended.id, event: 'export.ended' } });
    assert.equal(endedEvents, 1);
  });

  test('an ended export given a later endAt is active again on the same flow; without one, the PATCH is refused naming endAt', async () => {
    const created = await createRecurring('recurring/reactivated', { every: 'PT3H' });
    await waitForExport(world.api, created.id, (e) => e.status === 'active' && e.runs.some((r) => r.state === 'succeeded'), 60_000);
    await world.api.patch(world.api.keys.tenantA, `/exports/${created.id}`, { schedule: { endAt: new Date(Date.now() + 500).toISOString() } });
    const ended = await waitForExport(world.api, created.id, (e) => e.status === 'ended', 60_000);
    const flows = await countAtPlatform(world.sim, 'flows');

    const refused = await world.api.patch(world.api.keys.tenantA, `/exports/${created.id}`, { schedule: { every: 'PT6H' } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(bodyOf<{ errors: { pointer: string }[] }>(refused).errors.map((e) => e.pointer), ['/schedule/endAt']);
    assert.match(bodyOf<{ detail: string }>(refused).detail, /ended at its endAt .* give a later endAt/);

    const endAt = new Date(Date.now() + 3_600_000).toISOString();
    const patched = await world.api.patch(world.api.keys.tenantA, `/exports/${created.id}`, { schedule: { endAt } });
    assert.equal(patched.statusCode, 200, patched.body);
    const view = bodyOf<ExportView>(patched);
    assert.equal(view.status, 'active');
    assert.equal(view.finishedAt, null);
    assert.equal(view.schedule !== 'on-demand' && view.schedule.endAt, endAt);
    assert.equal((await flowAtPlatform(world.sim, ended.platform.flowId!)).state, 'enabled');
    const again = await waitForExport(world.api, created.id, (e) => e.runs.filter((r) => r.state === 'succeeded').length > ended.runs.length, 60_000);
    assert.equal(again.status, 'active');
    assert.equal(again.platform.flowId, ended.platform.flowId, 'the same flow');
    assert.equal(await countAtPlatform(world.sim, 'flows'), flows, 'no new flow');

    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    await waitForExport(world.api, created.id, (e) => e.step === 'cancelled');
  });

  test('pause stops new runs (the flow is disabled) and resume starts them again', async () => {
    const created = await createRecurring('recurring/pause', { every: 'PT3H' });
    const running = await waitForExport(world.api, created.id, (e) => e.status === 'active' && e.runs.some((r) => r.state === 'succeeded'), 60_000);
    const flowId = running.platform.flowId!;

    const paused = await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/pause`);
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(bodyOf<ExportView>(paused).status, 'paused');
    assert.equal(bodyOf<ExportView>(paused).nextRunAt, null);
    assert.equal((await flowAtPlatform(world.sim, flowId)).state, 'disabled');
    // Pausing twice is a no-op.
    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/pause`)).statusCode, 200);

    // A run already going on when the flow was disabled may still finish; after it, nothing new starts.
    await sleep(INTERVAL_MS);
    const atPause = await platformRuns(flowId);
    await sleep(3 * INTERVAL_MS);
    assert.equal(await platformRuns(flowId), atPause, 'no scheduled run while paused');
    assert.equal((await getExport(world.api, created.id)).status, 'paused');

    const resumed = await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/resume`);
    assert.equal(resumed.statusCode, 200, resumed.body);
    assert.equal(bodyOf<ExportView>(resumed).status, 'active');
    assert.equal((await flowAtPlatform(world.sim, flowId)).state, 'enabled');
    const again = await waitForExport(world.api, created.id, (e) => e.runs.length > atPause && e.runs.every((r) => r.state === 'succeeded' || r.state === 'in_progress'), 60_000);
    assert.ok(again.runs.length > atPause, 'runs start again after resume');

    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    await waitForExport(world.api, created.id, (e) => e.step === 'cancelled');
  });

  test('a run in progress at pause is recorded and announced when it finishes, while the export stays paused', async () => {
    const created = await createRecurring('recurring/pause-mid-run', { every: 'PT3H' });
    const running = await waitForExport(world.api, created.id, (e) => e.status === 'active' && e.runs.some((r) => r.state === 'in_progress'), 60_000);
    const inFlight = running.runs.find((r) => r.state === 'in_progress')!;
    const paused = await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/pause`);
    assert.equal(paused.statusCode, 200, paused.body);

    // No resume: the worker keeps watching the run that had started.
    const settled = await waitForExport(world.api, created.id, (e) => e.runs.find((r) => r.id === inFlight.id)?.state !== 'in_progress', 60_000);
    assert.equal(settled.status, 'paused');
    const run = settled.runs.find((r) => r.id === inFlight.id)!;
    assert.equal(run.state, 'succeeded', JSON.stringify(run.errors));
    const events = await runEventsOf(created.id);
    assert.deepEqual(events.filter((e) => e.runId === inFlight.id).map((e) => e.event), ['export.run.succeeded'], 'announced once');
    const listed = await waitForExport(world.api, created.id, (e) => e.runs.every((r) => r.state !== 'in_progress' && r.folderUri !== null));
    assert.equal(listed.status, 'paused');
    assert.ok((listed.runs.find((r) => r.id === inFlight.id)?.landedFiles.length ?? 0) >= 1, 'its files are listed too');

    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    await waitForExport(world.api, created.id, (e) => e.step === 'cancelled');
  });

  test('the sweeper picks a paused export up only while a run that started before the pause is open', async () => {
    const created = await createRecurring('recurring/sweep-paused', { every: 'PT3H' });
    const running = await waitForExport(world.api, created.id, (e) => e.status === 'active' && e.runs.some((r) => r.state === 'succeeded'), 60_000);
    const db = world.api.database.db;
    const run = running.runs.find((r) => r.state === 'succeeded')!;
    await world.stopWorker();
    try {
      // Paused with its run still open, and its job lost (the check time long past).
      const overdue = () => db.export.update({ where: { id: created.id }, data: { nextCheckAt: new Date(Date.now() - 60_000) } });
      await db.export.update({ where: { id: created.id }, data: { status: 'paused' } });
      await db.exportRun.update({ where: { id: run.id }, data: { state: 'in_progress' } });
      await overdue();
      assert.ok((await claimOverdueExports(db, 1000, 500)).includes(created.id), 'picked up while a run is open');
      // No open run (a later scheduled run may have been recorded in progress too): nothing to do until a resume.
      await db.exportRun.updateMany({ where: { exportId: created.id, state: { in: ['requested', 'triggering', 'in_progress'] } }, data: { state: 'succeeded' } });
      await overdue();
      assert.ok(!(await claimOverdueExports(db, 1000, 500)).includes(created.id), 'left alone without an open run');
    } finally {
      await world.startWorker();
    }
    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    await waitForExport(world.api, created.id, (e) => e.step === 'cancelled');
  });

  test('without endAt the flow gets an end six months out, moved on as it comes near; a flow the Platform ended is brought back, no duplicate', async () => {
    const created = await createRecurring('recurring/no-end', { every: 'PT3H' });
    const active = await waitForExport(world.api, created.id, (e) => e.status === 'active' && e.runs.some((r) => r.state === 'succeeded'), 60_000);
    const flowId = active.platform.flowId!;
    const now = Math.floor(Date.now() / 1000);
    const flow = await flowAtPlatform(world.sim, flowId);
    assert.ok(flow.scheduleParams.endTime! > now + 170 * DAY, 'an explicit end about six months out');
    const flows = await countAtPlatform(world.sim, 'flows');

    // About to end (a day left): moved on by six months.
    await setFlowWindowAtPlatform(world.sim, flowId, flow.scheduleParams.startTime, now + DAY);
    await waitForFlowEndAfter(flowId, now + 170 * DAY);
    assert.equal((await getExport(world.api, created.id)).status, 'active');

    // Ended at the Platform (fault): no run comes; the worker notices on an idle look and brings the same flow back.
    await setFlowWindowAtPlatform(world.sim, flowId, now - 7200, now - 3600);
    const atFault = (await getExport(world.api, created.id)).runs.length;
    await waitForFlowEndAfter(flowId, now + 170 * DAY);
    const again = await waitForExport(world.api, created.id, (e) => e.runs.filter((r) => r.state === 'succeeded').length > atFault, 60_000);
    assert.equal(again.status, 'active');
    assert.equal(again.nextRunAt !== null, true, 'no end: a next run is always named');
    assert.equal(again.platform.flowId, flowId, 'the same flow');
    assert.equal(await countAtPlatform(world.sim, 'flows'), flows, 'no duplicate flow');

    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    await waitForExport(world.api, created.id, (e) => e.step === 'cancelled');
  });

  test('a failed scheduled run shows as lastRun.state failed and in the metrics; the export stays active', async () => {
    const created = await createRecurring('recurring/failing', { every: 'PT3H' });
    const active = await waitForExport(world.api, created.id, (e) => e.status === 'active' && e.runs.some((r) => r.state === 'succeeded'), 60_000);
    const succeededBefore = active.runs.length;
    await world.sim.setFaults({ failNextRuns: 1 });
    const failed = await waitForExport(world.api, created.id, (e) => e.lastRun?.state === 'failed', 60_000);
    assert.equal(failed.status, 'active');
    assert.ok(failed.runs.length > succeededBefore);
    assert.ok((failed.lastRun?.errors.length ?? 0) > 0, 'the Platform error is kept on the run');
    const events = await runEventsOf(created.id);
    assert.equal(events.filter((e) => e.event === 'export.run.failed' && e.runId === failed.lastRun?.id).length, 1);
    const metric = await world.worker!.metrics.exportRuns.get();
    assert.ok(metric.values.some((v) => v.labels.trigger === 'scheduled' && v.labels.state === 'failed' && v.value >= 1));

    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    await waitForExport(world.api, created.id, (e) => e.step === 'cancelled');
  });
});

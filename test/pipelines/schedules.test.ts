// Pipeline schedules through the API and the schedule worker, on a real Postgres and Redis, with
// the schedule's "hour" shortened to one second (PIPELINE_SCHEDULE_HOUR_MS, a test clock for
// `everyHours`). No pipeline worker runs here: a started run stays queued until the test cancels
// it, so "the previous run is still going" is a state the test controls, not a race.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { jobCatalog } from '../../src/jobs/catalog.js';
import { createProducer, producerConnection, workerConnection } from '../../src/jobs/queue.js';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { fireOccurrence } from '../../src/pipelines/schedules/schedule-fire.js';
import type { ScheduleView } from '../../src/pipelines/schedules/schedule-schemas.js';
import { startScheduleWorker, type RunningScheduleWorker } from '../../src/pipelines/schedules/schedule-worker.js';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';

const HOUR_MS = 1000;

interface Problem {
  code: string;
  detail: string;
  errors?: { location: string; pointer: string }[];
}

let api: TestApi;
let templateId: string;
let destinationId: string;

before(async () => {
  api = await startTestApi({ env: { PIPELINE_SCHEDULE_HOUR_MS: String(HOUR_MS) } });
  destinationId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', { type: 'dlz', name: 'scores', params: {} })).id;
  const template = await api.post(api.keys.tenantA, '/pipeline-templates', {
    name: 'scheduled ingest',
    steps: [{ kind: 'ingest', name: 'in', scores: { destinationId: '{{dest}}', path: 'scores/scores.json' } }],
    parameters: { dest: { type: 'string' } },
  });
  assert.equal(template.statusCode, 201, template.body);
  templateId = bodyOf<{ id: string }>(template).id;
});
after(() => api.close());

/** A schedule worker as src/worker.ts starts it, on its own connections. */
async function startSchedules(): Promise<{ running: RunningScheduleWorker; stop(): Promise<void> }> {
  const connection = workerConnection(api.config.redis.url);
  const producerRedis = producerConnection(api.config.redis.url);
  const producer = createProducer(producerRedis, api.config.redis.queuePrefix);
  const running = await startScheduleWorker(
    { db: api.database.db, producer, hourMs: HOUR_MS, reconcileIntervalMs: api.config.schedules.reconcileIntervalMs, log: pino({ level: 'silent' }) },
    { connection, prefix: api.config.redis.queuePrefix, concurrency: 2, lockDurationMs: 30_000, stalledIntervalMs: 5_000 },
  );
  return {
    running,
    async stop() {
      await running.close();
      await producer.close();
      producerRedis.disconnect();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

async function createSchedule(body: Record<string, unknown> = {}): Promise<ScheduleView> {
  const response = await api.post(api.keys.tenantA, '/pipeline-schedules', { name: 'every test hour', templateId, parameters: { dest: destinationId }, everyHours: 1, ...body });
  assert.equal(response.statusCode, 201, response.body);
  return bodyOf<ScheduleView>(response);
}

async function getSchedule(id: string): Promise<ScheduleView> {
  const response = await api.get(api.keys.tenantA, `/pipeline-schedules/${id}`);
  assert.equal(response.statusCode, 200, response.body);
  return bodyOf<ScheduleView>(response);
}

async function occurrencesOf(id: string) {
  return api.database.db.pipelineScheduleOccurrence.findMany({ where: { scheduleId: id }, orderBy: { instant: 'asc' } });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function cancelRun(pipelineId: string): Promise<void> {
  const response = await api.post(api.keys.tenantA, `/pipelines/${pipelineId}/cancel`);
  assert.equal(response.statusCode, 202, response.body);
}

const started = (rows: Awaited<ReturnType<typeof occurrencesOf>>) => rows.filter((o) => o.outcome === 'started');
const onGrid = (schedule: ScheduleView, instant: Date) => (instant.getTime() - Date.parse(schedule.startAt)) % HOUR_MS === 0;

describe('the /pipeline-schedules API', () => {
  test('create, read, list, change, pause, resume, delete; BullMQ holds a scheduler only while active', async () => {
    const queue = api.producer.queue(jobCatalog['pipeline.schedule'].queue);
    const created = await createSchedule({ startAt: '2020-01-01T00:00:00Z' });
    assert.equal(created.status, 'active');
    assert.ok(Date.parse(created.startAt) > Date.parse('2026-01-01T00:00:00Z'), 'a past startAt is clamped to now');
    assert.deepEqual(created.destinationIds, [destinationId]);
    assert.ok(created.nextRunAt !== null && Date.parse(created.nextRunAt) > Date.parse(created.startAt));
    assert.equal((await queue.getJobScheduler(created.id))?.every, HOUR_MS);

    const listed = bodyOf<{ items: ScheduleView[] }>(await api.get(api.keys.tenantA, '/pipeline-schedules'));
    assert.ok(listed.items.some((s) => s.id === created.id));
    assert.equal((await api.get(api.keys.tenantB, `/pipeline-schedules/${created.id}`)).statusCode, 404);

    const changed = await api.patch(api.keys.tenantA, `/pipeline-schedules/${created.id}`, { cron: '30 6 * * 1-5', timeZone: 'Europe/Paris', name: 'weekday mornings' });
    assert.equal(changed.statusCode, 200, changed.body);
    const weekday = bodyOf<ScheduleView>(changed);
    assert.deepEqual([weekday.cron, weekday.timeZone, weekday.everyHours, weekday.name], ['30 6 * * 1-5', 'Europe/Paris', null, 'weekday mornings']);
    const scheduler = await queue.getJobScheduler(created.id);
    assert.deepEqual([scheduler?.pattern, scheduler?.tz, scheduler?.every], ['30 6 * * 1-5', 'Europe/Paris', undefined]);

    const paused = await api.post(api.keys.tenantA, `/pipeline-schedules/${created.id}/pause`);
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(bodyOf<ScheduleView>(paused).status, 'paused');
    assert.equal(bodyOf<ScheduleView>(paused).nextRunAt, null);
    assert.equal(await queue.getJobScheduler(created.id), undefined);
    const resumed = bodyOf<ScheduleView>(await api.post(api.keys.tenantA, `/pipeline-schedules/${created.id}/resume`));
    assert.equal(resumed.status, 'active');
    assert.equal((await queue.getJobScheduler(created.id))?.pattern, '30 6 * * 1-5');

    // A destination a schedule names cannot be deleted; the problem names the schedule.
    const refused = await api.delete(api.keys.tenantA, `/destinations/${destinationId}`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.deepEqual(bodyOf<{ usedBy: { pipelineSchedules: { id: string }[] } }>(refused).usedBy.pipelineSchedules.map((s) => s.id), [created.id]);

    assert.equal((await api.delete(api.keys.tenantA, `/pipeline-schedules/${created.id}`)).statusCode, 204);
    assert.equal(await queue.getJobScheduler(created.id), undefined);
    assert.equal((await api.get(api.keys.tenantA, `/pipeline-schedules/${created.id}`)).statusCode, 404);
  });

  test('400 or 404 naming the field', async () => {
    const base = { name: 'bad', templateId, parameters: { dest: destinationId } };
    const cases: { body: unknown; status: number; pointer: string }[] = [
      { body: { ...base, cron: '* * *' }, status: 400, pointer: '/cron' },
      { body: { ...base, cron: '61 * * * *' }, status: 400, pointer: '/cron' },
      { body: { ...base, cron: '0 6 * * *', timeZone: 'Mars/Olympus' }, status: 400, pointer: '/timeZone' },
      { body: { ...base, everyHours: 3, cron: '0 6 * * *' }, status: 400, pointer: '/cron' },
      { body: { ...base }, status: 400, pointer: '/cron' },
      { body: { ...base, everyHours: 0 }, status: 400, pointer: '/everyHours' },
      { body: { ...base, everyHours: 3, timeZone: 'UTC' }, status: 400, pointer: '/timeZone' },
      { body: { ...base, everyHours: 3, pipelineId: templateId }, status: 400, pointer: '/pipelineId' },
      { body: { ...base, everyHours: 3, templateId: '00000000-0000-4000-8000-000000000000' }, status: 404, pointer: '/templateId' },
      { body: { ...base, everyHours: 3, parameters: {} }, status: 400, pointer: '/parameters/dest' },
      { body: { ...base, everyHours: 3, endAt: '2020-01-01T00:00:00Z' }, status: 400, pointer: '/endAt' },
      { body: { ...base, everyHours: 3, every: 'PT3H' }, status: 400, pointer: '/every' },
    ];
    for (const c of cases) {
      const res = await api.post(api.keys.tenantA, '/pipeline-schedules', c.body);
      assert.equal(res.statusCode, c.status, `${JSON.stringify(c.body)}: ${res.body}`);
      assert.ok(bodyOf<Problem>(res).errors?.some((e) => e.location === 'body' && e.pointer === c.pointer), `expected ${c.pointer} in ${res.body}`);
    }
  });
});

describe('a schedule fires at its instants', () => {
  test('each instant after the start: a new run carrying the schedule id, or skipped and recorded while the previous run still goes', async () => {
    const schedule = await createSchedule();
    const worker = await startSchedules();
    try {
      const first = await waitFor('a first run', async () => started(await occurrencesOf(schedule.id))[0]);
      const firstRun = bodyOf<PipelineView>(await api.get(api.keys.tenantA, `/pipelines/${first.pipelineId}`));
      assert.equal(firstRun.scheduleId, schedule.id);
      assert.equal(firstRun.status, 'queued');
      // Later instants while the first run is still queued: recorded, nothing started.
      await waitFor('two skipped instants', async () => ((await occurrencesOf(schedule.id)).filter((o) => o.outcome === 'skipped_overlap').length >= 2 ? true : undefined));
      await cancelRun(first.pipelineId!);
      const second = await waitFor('a second run', async () => started(await occurrencesOf(schedule.id))[1]);
      await cancelRun(second.pipelineId!);
      await waitFor('a third run', async () => started(await occurrencesOf(schedule.id))[2]);
    } finally {
      await worker.stop();
    }
    const occurrences = await occurrencesOf(schedule.id);
    const runs = started(occurrences);
    assert.ok(occurrences.every((o) => onGrid(schedule, o.instant) && o.instant.getTime() > Date.parse(schedule.startAt)), 'every occurrence is an instant of the schedule after its start');
    assert.equal(new Set(runs.map((o) => o.pipelineId)).size, runs.length, 'each started instant has its own run');
    const between = occurrences.filter((o) => o.instant > runs[0]!.instant && o.instant < runs[1]!.instant);
    assert.ok(between.length >= 2 && between.every((o) => o.outcome === 'skipped_overlap' && o.pipelineId === runs[0]!.pipelineId), JSON.stringify(between));
    const pipelines = await api.database.db.pipeline.findMany({ where: { scheduleId: schedule.id } });
    assert.deepEqual(pipelines.map((p) => p.id).sort(), runs.map((o) => o.pipelineId).sort(), 'no run without its occurrence');
    const view = await getSchedule(schedule.id);
    assert.equal(view.recentOccurrences[0]?.instant, occurrences.at(-1)?.instant.toISOString(), 'the schedule shows its latest occurrences first');
    await api.delete(api.keys.tenantA, `/pipeline-schedules/${schedule.id}`);
  });

  test('instants missed while no worker ran start one run on restart, standing for the latest of them', async () => {
    const schedule = await createSchedule();
    let worker = await startSchedules();
    const first = await waitFor('a first run', async () => started(await occurrencesOf(schedule.id))[0]);
    await worker.stop();
    await cancelRun(first.pipelineId!);
    const stoppedAt = Date.now();
    const seenBefore = (await occurrencesOf(schedule.id)).length;
    // Several instants pass with no worker.
    await sleep(3.5 * HOUR_MS);
    worker = await startSchedules();
    let recovered: Awaited<ReturnType<typeof occurrencesOf>>[number];
    try {
      const found = await waitFor('the recovery run', async () => started(await occurrencesOf(schedule.id))[1]);
      recovered = found;
      // Give the stale scheduler job and a few more instants the chance to (wrongly) start more.
      await waitFor('an instant after the recovery', async () => ((await occurrencesOf(schedule.id)).some((o) => o.instant > found.instant) ? true : undefined));
    } finally {
      await worker.stop();
    }
    const occurrences = await occurrencesOf(schedule.id);
    assert.equal(started(occurrences).length, 2, JSON.stringify(occurrences));
    assert.ok(recovered.instant.getTime() >= stoppedAt + 2 * HOUR_MS, 'the recovery run stands for the latest missed instant, not the first');
    assert.match(recovered.detail ?? '', /recovery/);
    const missed = occurrences.slice(seenBefore).filter((o) => o.instant < recovered.instant);
    assert.deepEqual(missed, [], 'the earlier missed instants start nothing and are not run one by one');
    assert.ok(occurrences.filter((o) => o.instant > recovered.instant).every((o) => o.outcome === 'skipped_overlap'));
    await api.delete(api.keys.tenantA, `/pipeline-schedules/${schedule.id}`);
  });

  test('two workers never start one instant twice', async () => {
    const schedule = await createSchedule();
    const workers = await Promise.all([startSchedules(), startSchedules()]);
    try {
      // Cancel each run as it appears, so most instants start one.
      const until = Date.now() + 5 * HOUR_MS;
      while (Date.now() < until) {
        for (const run of await api.database.db.pipeline.findMany({ where: { scheduleId: schedule.id, status: 'queued' }, select: { id: true } })) await cancelRun(run.id);
        await sleep(100);
      }
      // Both workers racing for the same instant directly: one decides it, the other is told it is taken.
      const db = api.database.db;
      const deps = { db, producer: api.producer, hourMs: HOUR_MS, now: () => new Date(), log: pino({ level: 'silent' }) };
      const seen = new Date();
      const outcomes = await Promise.all([fireOccurrence(deps, schedule.id, seen, 'scheduler'), fireOccurrence(deps, schedule.id, seen, 'scheduler')]);
      assert.equal(outcomes.filter((o) => o.outcome !== 'ignored').length <= 1, true, JSON.stringify(outcomes));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const runs = started(await occurrencesOf(schedule.id));
    assert.ok(runs.length >= 2, `expected several runs, got ${runs.length}`);
    const pipelines = await api.database.db.pipeline.findMany({ where: { scheduleId: schedule.id }, select: { id: true } });
    assert.equal(pipelines.length, runs.length, 'as many runs as started instants');
    assert.equal(new Set(runs.map((o) => o.instant.getTime())).size, runs.length);
    await api.delete(api.keys.tenantA, `/pipeline-schedules/${schedule.id}`);
  });
});

// The CLI as CI jobs run it: a child process against a listening API with a worker, creating an
// export and waiting for it (progress on stderr, the export on stdout, exit code by outcome).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ExportView } from '../../src/exports/export-schemas.js';
import type { ScheduleView } from '../../src/pipelines/schedules/schedule-schemas.js';
import { cmleTrainingSetSql } from '../../src/pipelines/cmle-example.js';
import { bodyOf, fakeDestinationBodies } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { createDestination, datasetIdByName, EVENTS_DATASET } from '../worker/helpers.js';
import { startListeningWorld, type ListeningWorld } from '../ops/support.js';



describe('aepj CLI', () => {
  let world: ListeningWorld;
  let datasetId: string;
  let destinationId: string;
  let common: string[];

  before(async () => {
    world = await startListeningWorld();
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
    common = ['--url', world.baseUrl, '--key', world.api.keys.tenantA];
  });
  after(() => world?.close());

  test('exports create --wait runs an export to succeeded: exit 0, progress, the export as JSON', async () => {
    const run = await runCli(['exports', 'create', '--dataset', datasetId, '--destination', destinationId, '--path', 'cli/a', '--wait', '--json', ...common]);
    assert.equal(run.code, 0, run.stderr);
    const view = JSON.parse(run.stdout) as ExportView;
    assert.equal(view.status, 'succeeded');
    assert.match(run.stderr, new RegExp(`accepted export ${view.id}`));
    // Not a terminal: one progress line per change, the last one final.
    const progress = run.stderr.split('\n').filter((l) => l.startsWith(view.id.slice(0, 8)));
    assert.ok(progress.length >= 2, run.stderr);
    assert.match(progress.at(-1) ?? '', / succeeded · step /);
    // What it printed is what the API says.
    assert.deepEqual(view, bodyOf<ExportView>(await world.api.get(world.api.keys.tenantA, `/exports/${view.id}`)));
    assert.ok(view.runs[0]?.files && view.runs[0].files > 0);
  });

  test('exports get and list show it; the key may come from AEPJ_API_KEY', async () => {
    const listed = await runCli(['exports', 'list', '--status', 'succeeded', '--json', '--url', world.baseUrl], { AEPJ_API_KEY: world.api.keys.tenantA });
    assert.equal(listed.code, 0, listed.stderr);
    const items = JSON.parse(listed.stdout) as ExportView[];
    const apiList = bodyOf<{ items: ExportView[] }>(await world.api.get(world.api.keys.tenantA, '/exports?status=succeeded')).items;
    assert.deepEqual(items.map((e) => e.id), apiList.map((e) => e.id));
    const id = items[0]?.id;
    assert.ok(id);

    const human = await runCli(['exports', 'get', id, ...common]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`export\\s+${id}`));
    assert.match(human.stdout, /status\s+succeeded \(step done\)/);
    const table = await runCli(['exports', 'list', ...common]);
    assert.match(table.stdout.split('\n')[0] ?? '', /^ID\s+STATUS\s+STEP/);
    assert.ok(table.stdout.includes(id));
  });

  test('an export whose run fails: exports wait exits 1 and shows the error', async () => {
    await world.sim.setFaults({ failNextRuns: 1 });
    const created = await runCli(['exports', 'create', '--dataset', datasetId, '--destination', destinationId, '--path', 'cli/failing', '--json', ...common]);
    assert.equal(created.code, 0, created.stderr);
    const { id } = JSON.parse(created.stdout) as ExportView;
    const waited = await runCli(['exports', 'wait', id, ...common]);
    assert.equal(waited.code, 1, waited.stderr);
    assert.match(waited.stdout, /status\s+failed/);
    assert.match(waited.stdout, /error\s+\S+: /);
  });

  test('exports wait --timeout gives up with exit 4 while the export goes on', async () => {
    await world.stopWorker();
    try {
      const created = await runCli(['exports', 'create', '--dataset', datasetId, '--destination', destinationId, '--path', 'cli/slow', '--json', ...common]);
      const { id } = JSON.parse(created.stdout) as ExportView;
      const waited = await runCli(['exports', 'wait', id, '--timeout', '1', ...common]);
      assert.equal(waited.code, 4, waited.stderr);
      assert.match(waited.stderr, /did not finish within 1 s/);
      assert.equal(bodyOf<ExportView>(await world.api.get(world.api.keys.tenantA, `/exports/${id}`)).status, 'queued');
    } finally {
      await world.startWorker();
    }
  });

  test('usage errors exit 2, API errors exit 3', async () => {
    const missing = await runCli(['exports', 'create', '--path', 'x', ...common]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --dataset/);
    const unknownFlag = await runCli(['exports', 'list', '--colour', ...common]);
    assert.equal(unknownFlag.code, 2);
    const badKey = await runCli(['exports', 'list', '--url', world.baseUrl, '--key', 'aepj_not_a_real_key']);
    assert.equal(badKey.code, 3);
    assert.match(badKey.stderr, /^401 /);
    const notFound = await runCli(['exports', 'get', '00000000-0000-4000-8000-000000000000', ...common]);
    assert.equal(notFound.code, 3);
    assert.match(notFound.stderr, /404 .*does not exist/);
    const noFile = await runCli(['pipelines', 'create', ...common]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /needs --file/);
  });

  test('exports update changes a recurring export\'s schedule; nothing to change is a usage error, a past end the API\'s 400', async () => {
    const created = await runCli(['exports', 'create', '--dataset', datasetId, '--destination', destinationId, '--path', 'cli/recurring', '--schedule', 'PT3H', '--json', ...common]);
    assert.equal(created.code, 0, created.stderr);
    const { id } = JSON.parse(created.stdout) as ExportView;
    const endAt = new Date(Date.now() + 30 * 24 * 3_600_000).toISOString();
    const updated = await runCli(['exports', 'update', id, '--schedule', 'PT6H', '--end-at', endAt, '--json', ...common]);
    assert.equal(updated.code, 0, updated.stderr);
    const view = bodyOf<ExportView>(await world.api.get(world.api.keys.tenantA, `/exports/${id}`));
    assert.deepEqual(view.schedule !== 'on-demand' && [view.schedule.every, view.schedule.endAt], ['PT6H', endAt]);
    assert.deepEqual((JSON.parse(updated.stdout) as ExportView).schedule, view.schedule);
    const human = await runCli(['exports', 'update', id, '--schedule', '{"every":"PT12H"}', ...common]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /schedule\s+every PT12H from /);

    const nothing = await runCli(['exports', 'update', id, ...common]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /needs --schedule, --start-at or --end-at/);
    const past = await runCli(['exports', 'update', id, '--end-at', '2020-01-01T00:00:00Z', ...common]);
    assert.equal(past.code, 3);
    assert.match(past.stderr, /^400 .*schedule\/endAt/);
    assert.equal((await world.api.post(world.api.keys.tenantA, `/exports/${id}/cancel`)).statusCode, 202);
  });

  test('destinations create, get, list, update (name, credentials from a file), delete; a destination in use is a 409 naming its users', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aepj-cli-'));
    try {
      const body = join(dir, 'destination.json');
      await writeFile(body, JSON.stringify(fakeDestinationBodies.s3));
      const created = await runCli(['destinations', 'create', '--file', body, '--json', ...common]);
      assert.equal(created.code, 0, created.stderr);
      const { id } = JSON.parse(created.stdout) as { id: string };
      const human = await runCli(['destinations', 'get', id, ...common]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, new RegExp(`destination\\s+${id} "fake s3"`));
      assert.match(human.stdout, /credentials\s+set \(sealed at rest, never shown\)/);
      assert.ok(!human.stdout.includes(fakeDestinationBodies.s3.credentials.s3SecretKey), 'no secret is printed');
      const listed = await runCli(['destinations', 'list', '--all', '--json', ...common]);
      assert.ok((JSON.parse(listed.stdout) as { id: string }[]).some((d) => d.id === id));

      const credentials = join(dir, 'credentials.json');
      await writeFile(credentials, JSON.stringify({ ...fakeDestinationBodies.s3.credentials, s3AccessKey: 'FAKEACCESSKEY3333333' }));
      const updated = await runCli(['destinations', 'update', id, '--name', 'rotated s3', '--credentials-file', credentials, '--json', ...common]);
      assert.equal(updated.code, 0, updated.stderr);
      assert.equal((JSON.parse(updated.stdout) as { name: string }).name, 'rotated s3');
      assert.equal(bodyOf<{ name: string }>(await world.api.get(world.api.keys.tenantA, `/destinations/${id}`)).name, 'rotated s3');
      assert.equal((await runCli(['destinations', 'update', id, ...common])).code, 2);

      // In use by a recurring export: 409 naming it, nothing deleted; once it is cancelled, deleted.
      const exp = await world.api.post(world.api.keys.tenantA, '/exports', { datasetId, destinationId: id, path: 'cli/in-use', format: 'parquet', compression: 'gzip', schedule: { every: 'P1D' } });
      assert.equal(exp.statusCode, 202, exp.body);
      const exportId = bodyOf<ExportView>(exp).id;
      const refused = await runCli(['destinations', 'delete', id, ...common]);
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /^409 .*in use by .*/);
      assert.ok(refused.stderr.includes(exportId), refused.stderr);
      assert.equal((await world.api.get(world.api.keys.tenantA, `/destinations/${id}`)).statusCode, 200);
      await world.api.post(world.api.keys.tenantA, `/exports/${exportId}/cancel`);
      const deleted = await runCli(['destinations', 'delete', id, ...common]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, new RegExp(`deleted destination ${id}`));
      assert.equal((await world.api.get(world.api.keys.tenantA, `/destinations/${id}`)).statusCode, 404);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('pipelines create --wait runs a featurize pipeline to succeeded; get and list show it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aepj-cli-'));
    const file = join(dir, 'pipeline.json');
    const definition = { name: 'cli featurize', steps: [{ kind: 'featurize', name: 'features', sql: cmleTrainingSetSql() }] };
    await writeFile(file, JSON.stringify(definition));
    try {
      const run = await runCli(['pipelines', 'create', '--file', file, '--wait', '--poll-ms', '200', '--json', ...common]);
      assert.equal(run.code, 0, run.stderr);
      const view = JSON.parse(run.stdout) as { id: string; status: string; steps: { name: string; state: string; outputs: Record<string, unknown> }[] };
      assert.equal(view.status, 'succeeded');
      assert.equal(view.steps[0]?.state, 'succeeded');
      assert.match(run.stderr, new RegExp(`accepted pipeline ${view.id}`));
      assert.match(run.stderr, /succeeded · step/);
      // What it printed is what the API says.
      assert.deepEqual(view, bodyOf(await world.api.get(world.api.keys.tenantA, `/pipelines/${view.id}`)));

      const human = await runCli(['pipelines', 'get', view.id, ...common]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, new RegExp(`pipeline ${view.id} "cli featurize": succeeded`));
      assert.match(human.stdout, /1\. features\s+featurize\s+succeeded/);
      const listed = await runCli(['pipelines', 'list', '--json', ...common]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok((JSON.parse(listed.stdout) as { id: string }[]).some((p) => p.id === view.id));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('pipeline-schedules create, get, list, update, pause, resume, delete: what the API says, and its 400 naming the field', async () => {
    const template = await world.api.post(world.api.keys.tenantA, '/pipeline-templates', {
      name: 'cli scheduled ingest',
      steps: [{ kind: 'ingest', name: 'in', scores: { destinationId: '{{dest}}', path: 'scores/scores.json' } }],
      parameters: { dest: { type: 'string' } },
    });
    assert.equal(template.statusCode, 201, template.body);
    const templateId = bodyOf<{ id: string }>(template).id;
    const params = JSON.stringify({ dest: destinationId });
    const api = async (id: string) => bodyOf<ScheduleView>(await world.api.get(world.api.keys.tenantA, `/pipeline-schedules/${id}`));

    const created = await runCli(['pipeline-schedules', 'create', '--name', 'weekday scores', '--template', templateId, '--params', params, '--cron', '30 6 * * 1-5', '--time-zone', 'Europe/Paris', '--json', ...common]);
    assert.equal(created.code, 0, created.stderr);
    const schedule = JSON.parse(created.stdout) as ScheduleView;
    assert.deepEqual([schedule.status, schedule.cron, schedule.timeZone, schedule.templateId], ['active', '30 6 * * 1-5', 'Europe/Paris', templateId]);
    assert.deepEqual(schedule, await api(schedule.id));

    const human = await runCli(['pipeline-schedules', 'get', schedule.id, ...common]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`schedule\\s+${schedule.id} "weekday scores"`));
    assert.match(human.stdout, /cadence\s+cron "30 6 \* \* 1-5" \(Europe\/Paris\)/);
    assert.match(human.stdout, new RegExp(`next run\\s+${schedule.nextRunAt ?? 'missing'}`));
    const table = await runCli(['pipeline-schedules', 'list', ...common]);
    assert.match(table.stdout.split('\n')[0] ?? '', /^ID\s+STATUS\s+CADENCE\s+NEXT RUN\s+NAME/);
    assert.ok(table.stdout.includes(schedule.id));
    const listed = await runCli(['pipeline-schedules', 'list', '--json', ...common]);
    const apiList = bodyOf<{ items: ScheduleView[] }>(await world.api.get(world.api.keys.tenantA, '/pipeline-schedules')).items;
    assert.deepEqual((JSON.parse(listed.stdout) as ScheduleView[]).map((s) => s.id), apiList.map((s) => s.id));

    const updated = await runCli(['pipeline-schedules', 'update', schedule.id, '--every-hours', '6', '--end-at', '2099-01-01T00:00:00Z', '--json', ...common]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual([(await api(schedule.id)).everyHours, (await api(schedule.id)).cron, (await api(schedule.id)).endAt], [6, null, '2099-01-01T00:00:00.000Z']);
    assert.equal((await runCli(['pipeline-schedules', 'update', schedule.id, '--end-at', 'none', ...common])).code, 0);
    assert.equal((await api(schedule.id)).endAt, null);

    const paused = await runCli(['pipeline-schedules', 'pause', schedule.id, ...common]);
    assert.equal(paused.code, 0, paused.stderr);
    assert.match(paused.stdout, /status\s+paused/);
    assert.equal((await api(schedule.id)).status, 'paused');
    const resumed = await runCli(['pipeline-schedules', 'resume', schedule.id, '--json', ...common]);
    assert.equal((JSON.parse(resumed.stdout) as ScheduleView).status, 'active');
    assert.equal((await api(schedule.id)).status, 'active');

    const noName = await runCli(['pipeline-schedules', 'create', '--template', templateId, '--every-hours', '3', ...common]);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /needs --name/);
    const noChange = await runCli(['pipeline-schedules', 'update', schedule.id, ...common]);
    assert.equal(noChange.code, 2);
    const badCron = await runCli(['pipeline-schedules', 'create', '--name', 'bad', '--template', templateId, '--params', params, '--cron', '61 * * * *', ...common]);
    assert.equal(badCron.code, 3);
    assert.match(badCron.stderr, /^400 .*cron/);

    const deleted = await runCli(['pipeline-schedules', 'delete', schedule.id, ...common]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`deleted pipeline schedule ${schedule.id}`));
    const gone = await runCli(['pipeline-schedules', 'get', schedule.id, ...common]);
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /^404 /);
  });
});

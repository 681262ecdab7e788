// The pure rules behind POST /exports: folder paths, callback URLs, schedules and their Platform
// scheduleParams, governance verdicts, and list cursors.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { judgeDatasetLabels } from '../../src/datasets/governance.js';
import { callbackUrlProblem } from '../../src/exports/export-callback-url.js';
import { exportPathProblem } from '../../src/exports/export-path.js';
import { nextRunAtOf, platformScheduleParams, resolveRecurringSchedule } from '../../src/exports/export-schedule.js';
import { decodeCursor, encodeCursor, pageOf } from '../../src/pagination.js';

describe('export paths', () => {
  test('relative folders pass', () => {
    for (const ok of ['ml', 'ml/exports/2030', 'a.b/c-d/e_f', 'ml/', 'dir with spaces/x']) assert.equal(exportPathProblem(ok), null, ok);
  });
  test('escapes, absolute paths, backslashes, empty folders and control characters are refused', () => {
    for (const bad of ['..', '../x', 'a/../../b', './a', 'a/.', '/abs', 'C:/x', 'c:', 'a\\b', 'a//b', 'a\u0000b', 'a\nb', 'a\u007fb']) {
      assert.notEqual(exportPathProblem(bad), null, JSON.stringify(bad));
    }
  });
});

describe('callback URLs', () => {
  const strict = { allowPrivate: false };
  test('public https URLs pass', () => {
    for (const ok of ['https://hooks.example.com/x', 'https://8.8.8.8/x', 'https://[2001:4860::8888]/x', 'https://172.32.0.1/x']) {
      assert.equal(callbackUrlProblem(ok, strict), null, ok);
    }
  });
  test('http, credentials and private, loopback, link-local or unspecified literals are refused', () => {
    for (const bad of [
      'http://hooks.example.com/x',
      'ftp://hooks.example.com/x',
      'https://u:p@hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://127.1.2.3/x',
      'https://10.0.0.1/x',
      'https://172.16.0.1/x',
      'https://172.31.255.255/x',
      'https://192.168.1.1/x',
      'https://169.254.169.254/x',
      'https://100.64.0.1/x',
      'https://0.0.0.0/x',
      'https://[::1]/x',
      'https://[::]/x',
      'https://[fd00::1]/x',
      'https://[fe80::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://localhost/x',
      'https://api.localhost/x',
      'not a url',
    ]) {
      assert.notEqual(callbackUrlProblem(bad, strict), null, bad);
    }
  });
  test('local development may allow http and private addresses', () => {
    assert.equal(callbackUrlProblem('http://127.0.0.1:8080/hook', { allowPrivate: true }), null);
    assert.notEqual(callbackUrlProblem('ftp://127.0.0.1/hook', { allowPrivate: true }), null);
  });
});

describe('schedules', () => {
  const now = new Date('2030-01-01T00:00:00.000Z');
  test('start defaults to now; end must follow start and lie ahead', () => {
    assert.deepEqual(resolveRecurringSchedule({ every: 'PT3H' }, now), {
      schedule: { every: 'PT3H', startAt: now.toISOString(), endAt: null, exportMode: 'FIRST_FULL_THEN_INCREMENTAL' },
    });
    assert.deepEqual(resolveRecurringSchedule({ every: 'P1D', startAt: '2030-01-03T00:00:00Z', endAt: '2030-01-02T00:00:00Z' }, now), {
      field: 'endAt',
      message: 'must be after startAt',
    });
    assert.equal('field' in resolveRecurringSchedule({ every: 'P1D', startAt: '2029-01-01T00:00:00Z', endAt: '2029-06-01T00:00:00Z' }, now), true);
  });
  test('a startAt in the past is clamped to now, as the Platform treats a past startTime', () => {
    assert.deepEqual(resolveRecurringSchedule({ every: 'PT3H', startAt: '2020-01-01T00:00:00Z' }, now), {
      schedule: { every: 'PT3H', startAt: now.toISOString(), endAt: null, exportMode: 'FIRST_FULL_THEN_INCREMENTAL' },
    });
    assert.deepEqual(resolveRecurringSchedule({ every: 'PT3H', startAt: '2020-01-01T00:00:00Z', endAt: '2030-01-02T00:00:00Z' }, now), {
      schedule: { every: 'PT3H', startAt: now.toISOString(), endAt: '2030-01-02T00:00:00.000Z', exportMode: 'FIRST_FULL_THEN_INCREMENTAL' },
    });
  });
  test('cadences map to the intervals the Platform accepts, in epoch seconds', () => {
    const startAt = '2030-01-01T06:00:00.000Z';
    const endAt = '2030-02-01T00:00:00.000Z';
    const expected = { PT3H: [3, 'hour'], PT6H: [6, 'hour'], PT9H: [9, 'hour'], PT12H: [12, 'hour'], P1D: [1, 'day'] } as const;
    for (const [every, [interval, timeUnit]] of Object.entries(expected)) {
      const params = platformScheduleParams({ every: every as keyof typeof expected, startAt, endAt, exportMode: 'FIRST_FULL_THEN_INCREMENTAL' }, now.getTime());
      assert.equal(params.interval, interval);
      assert.equal(params.timeUnit, timeUnit);
      assert.equal(params.startTime, Date.UTC(2030, 0, 1, 6) / 1000);
      assert.equal(params.endTime, Date.UTC(2030, 1, 1) / 1000);
    }
    // Without endAt the flow still gets an explicit end: six months after its start (the life the
    // Platform would give it), which the worker keeps moving on.
    assert.equal(platformScheduleParams({ every: 'PT3H', startAt, endAt: null, exportMode: 'FIRST_FULL_THEN_INCREMENTAL' }, now.getTime()).endTime, Date.UTC(2030, 6, 1, 6) / 1000);
    const later = Date.UTC(2031, 0, 1);
    assert.equal(platformScheduleParams({ every: 'PT3H', startAt, endAt: null, exportMode: 'FIRST_FULL_THEN_INCREMENTAL' }, later).endTime, Date.UTC(2031, 6, 1) / 1000);
  });
  test('export mode: a daily full export is refused on every recurring cadence; the default is first full then incremental', () => {
    for (const every of ['P1D', 'PT3H'] as const) {
      const refused = resolveRecurringSchedule({ every, exportMode: 'DAILY_FULL_EXPORT' }, now);
      assert.ok('field' in refused && refused.field === 'exportMode' && /recurring full exports/.test(refused.message));
      // It says why, in Adobe's words and where they stand, and what to use instead.
      assert.match(refused.message, new RegExp(`every ${every}`));
      assert.match(refused.message, /"in combination with timeUnit day and interval 0 for a one-time full export of the dataset\. Daily full exports of datasets are not supported\./);
      assert.match(refused.message, /https:\/\/developer\.adobe\.com\/experience-platform-apis\/references\/destinations\//);
      assert.match(refused.message, /Use FIRST_FULL_THEN_INCREMENTAL/);
    }
    const resolved = resolveRecurringSchedule({ every: 'P1D' }, now);
    assert.ok('schedule' in resolved);
    assert.equal(resolved.schedule.exportMode, 'FIRST_FULL_THEN_INCREMENTAL');
  });
  test('nextRunAt: the schedule instant after now, none past the end', () => {
    const schedule = { every: 'PT3H', startAt: '2030-01-01T00:00:00.000Z', endAt: '2030-01-01T10:00:00.000Z', exportMode: 'FIRST_FULL_THEN_INCREMENTAL' } as const;
    assert.equal(nextRunAtOf(schedule, Date.UTC(2029, 11, 31))?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(nextRunAtOf(schedule, Date.UTC(2030, 0, 1, 4))?.toISOString(), '2030-01-01T06:00:00.000Z');
    assert.equal(nextRunAtOf(schedule, Date.UTC(2030, 0, 1, 9)), null);
    // Without endAt the schedule goes on past the six months a flow is given (the worker moves its end on).
    const open = { ...schedule, endAt: null };
    assert.equal(nextRunAtOf(open, Date.UTC(2030, 6, 2, 1))?.toISOString(), '2030-07-02T03:00:00.000Z');
  });
});

describe('governance', () => {
  const labels = (dataset: string[], fields: string[][] = []) => ({ labels: dataset, fieldLabels: fields.map((l) => ({ labels: l })) });
  test('C9 and C12 are always refused, on the dataset or on a field', () => {
    for (const opts of [{ allowSensitiveLabels: false }, { allowSensitiveLabels: true }]) {
      const c9 = judgeDatasetLabels(labels(['C9']), opts);
      assert.equal(c9.allowed, false);
      const c12OnField = judgeDatasetLabels(labels(['C1'], [['I1'], ['C12']]), opts);
      assert.ok(!c12OnField.allowed && c12OnField.refusedLabels.includes('C12'));
    }
  });
  test('PSPD and RHD only when the tenant allows them; other labels and no labels pass', () => {
    assert.deepEqual(judgeDatasetLabels(labels(['PSPD', 'RHD']), { allowSensitiveLabels: false }).allowed, false);
    assert.deepEqual(judgeDatasetLabels(labels(['PSPD', 'RHD']), { allowSensitiveLabels: true }).allowed, true);
    assert.equal(judgeDatasetLabels(labels(['C1', 'I1', 'S2']), { allowSensitiveLabels: false }).allowed, true);
    assert.equal(judgeDatasetLabels(null, { allowSensitiveLabels: false }).allowed, true);
  });
});

describe('list cursors', () => {
  test('round-trip, reject anything else, and mark the last row of a full page', () => {
    const row = { createdAt: new Date('2030-01-01T00:00:00.123Z'), id: randomUUID() };
    assert.deepEqual(decodeCursor(encodeCursor(row)), row);
    for (const bad of ['', 'garbage', Buffer.from('{"c":"x","i":"y"}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      assert.equal(decodeCursor(bad), null, bad);
    }
    const rows = [1, 2, 3].map((n) => ({ createdAt: new Date(Date.UTC(2030, 0, n)), id: randomUUID() }));
    const full = pageOf(rows, 2);
    assert.equal(full.items.length, 2);
    assert.deepEqual(decodeCursor(full.nextCursor ?? ''), rows[1]);
    assert.equal(pageOf(rows, 3).nextCursor, null);
  });
});

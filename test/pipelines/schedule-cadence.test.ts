// The instants of a pipeline schedule, computed from its row: cron patterns read in their time zone
// (daylight saving included), every N hours from the start, nothing after endAt; and the BullMQ
// scheduler options that keep BullMQ on the same grid.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cadenceOf, cronProblem, latestInstantAtOrBefore, nextInstantAfter, repeatOptionsOf } from '../../src/pipelines/schedules/schedule-cadence.js';

const at = (iso: string) => new Date(iso);

describe('pipeline schedule cadence', () => {
  test('cron patterns are read in their time zone, across a daylight-saving change', () => {
    const cadence = cadenceOf({ cron: '30 2 * * *', timeZone: 'Europe/Paris', everyHours: null, startAt: at('2030-01-01T00:00:00Z'), endAt: null }, 3_600_000);
    // 02:30 in Paris is 01:30 UTC in winter and 00:30 UTC in summer.
    assert.equal(nextInstantAfter(cadence, at('2030-01-10T12:00:00Z'))?.toISOString(), '2030-01-11T01:30:00.000Z');
    assert.equal(nextInstantAfter(cadence, at('2030-07-10T12:00:00Z'))?.toISOString(), '2030-07-11T00:30:00.000Z');
    assert.equal(latestInstantAtOrBefore(cadence, at('2030-01-11T01:30:00Z'))?.toISOString(), '2030-01-11T01:30:00.000Z', 'an instant is due at itself');
    assert.equal(latestInstantAtOrBefore(cadence, at('2030-01-11T01:29:59Z'))?.toISOString(), '2030-01-10T01:30:00.000Z');
    assert.equal(latestInstantAtOrBefore(cadence, at('2029-12-31T23:00:00Z')), null, 'nothing before the start');
  });

  test('every N hours counts from the start; nothing after endAt', () => {
    const cadence = cadenceOf({ cron: null, timeZone: null, everyHours: 6, startAt: at('2030-01-01T01:00:00Z'), endAt: at('2030-01-02T01:00:00Z') }, 3_600_000);
    assert.equal(nextInstantAfter(cadence, at('2029-12-01T00:00:00Z'))?.toISOString(), '2030-01-01T01:00:00.000Z');
    assert.equal(nextInstantAfter(cadence, at('2030-01-01T01:00:00Z'))?.toISOString(), '2030-01-01T07:00:00.000Z');
    assert.equal(latestInstantAtOrBefore(cadence, at('2030-01-01T18:59:59Z'))?.toISOString(), '2030-01-01T13:00:00.000Z');
    assert.equal(latestInstantAtOrBefore(cadence, at('2030-03-01T00:00:00Z'))?.toISOString(), '2030-01-02T01:00:00.000Z', 'the last instant is endAt');
    assert.equal(nextInstantAfter(cadence, at('2030-01-02T01:00:00Z')), null);
  });

  test('BullMQ is given the same grid: an every scheduler starts at our next instant', () => {
    const every = cadenceOf({ cron: null, timeZone: null, everyHours: 2, startAt: at('2030-01-01T00:00:00Z'), endAt: null }, 1000);
    assert.deepEqual(repeatOptionsOf(every, at('2030-01-01T00:00:05.500Z')), { every: 2000, startDate: at('2030-01-01T00:00:06Z') });
    const cron = cadenceOf({ cron: '0 6 * * 1-5', timeZone: 'America/New_York', everyHours: null, startAt: at('2030-01-01T00:00:00Z'), endAt: at('2031-01-01T00:00:00Z') }, 1000);
    assert.deepEqual(repeatOptionsOf(cron, at('2030-06-01T00:00:00Z')), { pattern: '0 6 * * 1-5', tz: 'America/New_York', endDate: at('2031-01-01T00:00:00Z') });
    const ended = cadenceOf({ cron: null, timeZone: null, everyHours: 1, startAt: at('2030-01-01T00:00:00Z'), endAt: at('2030-01-01T05:00:00Z') }, 3_600_000);
    assert.equal(repeatOptionsOf(ended, at('2030-01-02T00:00:00Z')), null);
  });

  test('a bad pattern or zone is named', () => {
    assert.equal(cronProblem('0 6 * * *', 'UTC'), null);
    assert.equal(cronProblem('0 6 * *', 'UTC')?.field, 'cron');
    assert.equal(cronProblem('0 6 * * * *', 'UTC')?.field, 'cron', 'seconds are not offered');
    assert.equal(cronProblem('0 25 * * *', 'UTC')?.field, 'cron');
    assert.equal(cronProblem('0 6 * * *', 'Nowhere/Town')?.field, 'timeZone');
  });
});

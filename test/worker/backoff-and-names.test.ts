// The pure parts of the worker: backoff bounds and growth, and the deterministic Platform names
// that the lookup-before-create relies on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs } from '../../src/jobs/backoff.js';
import { createCrashPoint } from '../../src/jobs/crash-points.js';
import { baseConnectionName } from '../../src/destinations/base-connection.js';
import { bindingObjectName, scheduleKeyOf, type BindingKey } from '../../src/exports/worker/platform-names.js';

test('backoff stays within [initial, min(max, initial * 2^n)] and its ceiling doubles', () => {
  const policy = { initialMs: 100, maxMs: 1000 };
  for (let n = 0; n < 8; n++) {
    const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** n);
    assert.equal(backoffDelayMs(n, policy, () => 0), policy.initialMs);
    assert.equal(backoffDelayMs(n, policy, () => 1), ceiling);
    const drawn = backoffDelayMs(n, policy, Math.random);
    assert.ok(drawn >= policy.initialMs && drawn <= ceiling, `${drawn} outside [${policy.initialMs}, ${ceiling}]`);
  }
});

test('backoff is jittered: many waiters at the same step do not wake together', () => {
  const policy = { initialMs: 100, maxMs: 60_000 };
  const delays = Array.from({ length: 200 }, () => backoffDelayMs(6, policy));
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  const sd = Math.sqrt(delays.reduce((a, b) => a + (b - mean) ** 2, 0) / delays.length);
  assert.ok(sd / mean > 0.3, `coefficient of variation ${sd / mean}`);
});

const key: BindingKey = {
  tenantId: 't1',
  destinationId: 'd1',
  datasetId: 'ds1',
  path: 'a/b',
  format: 'parquet',
  compression: 'gzip',
  scheduleKey: 'on-demand',
};

test('names are deterministic and differ for every part of the binding key', () => {
  assert.equal(bindingObjectName('flow', key), bindingObjectName('flow', { ...key }));
  assert.match(bindingObjectName('flow', key), /^aepjobs-flow-[0-9a-f]{24}$/);
  const variants = (Object.keys(key) as (keyof BindingKey)[]).map((field) => bindingObjectName('flow', { ...key, [field]: `${key[field]}x` }));
  assert.equal(new Set([bindingObjectName('flow', key), ...variants]).size, variants.length + 1);
  assert.notEqual(bindingObjectName('source', key), bindingObjectName('target', key));
  // Field boundaries matter: moving a character from one part to the next changes the name.
  assert.notEqual(bindingObjectName('flow', { ...key, path: 'a/', format: 'bparquet' }), bindingObjectName('flow', key));
  assert.equal(baseConnectionName('t1', 'd1'), baseConnectionName('t1', 'd1'));
  assert.notEqual(baseConnectionName('t1', 'd1'), baseConnectionName('t1', 'd2'));
});

test('on-demand exports share a schedule key; a recurring one has its own', () => {
  assert.equal(scheduleKeyOf('e1', null), scheduleKeyOf('e2', null));
  assert.notEqual(scheduleKeyOf('e1', { every: 'PT3H' }), scheduleKeyOf('e2', { every: 'PT3H' }));
});

test('crash hook points fire only at the configured step and phase', () => {
  const fired: string[] = [];
  const crash = createCrashPoint('flow:after', () => fired.push('kill'));
  crash('flow', 'before');
  crash('source_connection', 'after');
  assert.equal(fired.length, 0);
  crash('flow', 'after');
  assert.deepEqual(fired, ['kill']);
  const off = createCrashPoint(undefined, () => fired.push('never'));
  off('flow', 'after');
  assert.deepEqual(fired, ['kill']);
});

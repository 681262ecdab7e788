// The accept path's dataset cache: one Platform read per tenant and dataset for many concurrent
// requests, kept for its TTL (a controlled clock, no waiting), failures never kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDatasetFactsCache } from '../../src/datasets/dataset-facts.js';
import { PlatformError } from '../../src/platform/errors.js';
import type { CatalogDataset, DatasetLabels } from '../../src/platform/types.js';

function countingPlatform(opts: { known: boolean; failLabels?: number } = { known: true }) {
  const calls = { dataset: 0, labels: 0 };
  let labelFailures = opts.failLabels ?? 0;
  return {
    calls,
    platform: {
      getDataset(id: string): Promise<CatalogDataset> {
        calls.dataset++;
        if (!opts.known) return Promise.reject(new PlatformError({ kind: 'not_found', endpoint: 'datasets.get', status: 404, plainMessage: 'no such dataset' }));
        return Promise.resolve({ id, name: `dataset ${id}` });
      },
      getDatasetLabels(): Promise<DatasetLabels | null> {
        calls.labels++;
        if (labelFailures > 0) {
          labelFailures--;
          return Promise.reject(new PlatformError({ kind: 'transient', endpoint: 'datasetLabels.get', status: 503, plainMessage: 'busy' }));
        }
        return Promise.resolve({ labels: ['C1'], fieldLabels: [] });
      },
    },
  };
}

test('concurrent reads of one dataset share one Platform call each; the TTL bounds how long', async () => {
  let clock = 0;
  const cache = createDatasetFactsCache({ ttlMs: 60_000, now: () => clock });
  const { platform, calls } = countingPlatform();
  const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('tenant-1', 'ds1', platform)));
  assert.deepEqual(calls, { dataset: 1, labels: 1 });
  assert.ok(results.every((r) => r.dataset?.id === 'ds1' && r.labels?.labels[0] === 'C1'));

  clock = 59_999;
  await cache.get('tenant-1', 'ds1', platform);
  assert.deepEqual(calls, { dataset: 1, labels: 1 });
  await cache.get('tenant-2', 'ds1', platform);
  assert.deepEqual(calls, { dataset: 2, labels: 2 }, 'tenants do not share entries');

  clock = 60_001;
  await cache.get('tenant-1', 'ds1', platform);
  assert.deepEqual(calls, { dataset: 3, labels: 3 });
});

test('an unknown dataset is reported as null; a failed read is not cached', async () => {
  const unknown = countingPlatform({ known: false });
  const cache = createDatasetFactsCache();
  assert.deepEqual(await cache.get('t', 'nope', unknown.platform), { dataset: null, labels: null });

  const flaky = countingPlatform({ known: true, failLabels: 1 });
  await assert.rejects(cache.get('t', 'ds2', flaky.platform), (e: unknown) => e instanceof PlatformError && e.kind === 'transient');
  const second = await cache.get('t', 'ds2', flaky.platform);
  assert.deepEqual(second.labels?.labels, ['C1']);
  assert.equal(flaky.calls.labels, 2);
});

test('past its lifetime a fact answers at once while it is read again; a Platform outage keeps the last one for staleMs', async () => {
  let clock = 0;
  const cache = createDatasetFactsCache({ ttlMs: 1000, staleMs: 10_000, now: () => clock });
  const healthy = countingPlatform();
  await cache.get('t', 'ds1', healthy.platform);
  let outage = 0;
  const down = {
    getDataset: () => {
      outage++;
      return Promise.reject(new PlatformError({ kind: 'transient', plainMessage: 'down', endpoint: 'catalog' }));
    },
    getDatasetLabels: () => {
      outage++;
      return Promise.reject(new PlatformError({ kind: 'transient', plainMessage: 'down', endpoint: 'labels' }));
    },
  };
  clock = 5000;
  const during = await cache.get('t', 'ds1', down);
  assert.equal(during.dataset?.id, 'ds1', 'the last known facts answer');
  assert.equal(outage, 2, 'and a read was started behind them');
  await new Promise((resolve) => setImmediate(resolve));
  clock = 10_500;
  await assert.rejects(cache.get('t', 'ds1', down), (e: unknown) => e instanceof PlatformError, 'too old to stand in for the Platform');
});

test('fresh facts are answered without a promise while their lifetime lasts, and only then', async () => {
  let clock = 0;
  const cache = createDatasetFactsCache({ ttlMs: 1000, staleMs: 10_000, now: () => clock });
  const { platform } = countingPlatform();
  assert.equal(cache.fresh('t', 'ds1'), undefined, 'nothing read yet');
  const reading = cache.get('t', 'ds1', platform);
  assert.equal(cache.fresh('t', 'ds1'), undefined, 'a read in flight is not a fact yet');
  await reading;
  assert.deepEqual(cache.fresh('t', 'ds1'), { dataset: { id: 'ds1', name: 'dataset ds1' }, labels: { labels: ['C1'], fieldLabels: [] } });
  assert.equal(cache.fresh('t2', 'ds1'), undefined, 'per tenant');
  clock = 1001;
  assert.equal(cache.fresh('t', 'ds1'), undefined, 'past its lifetime it goes through get (and its refresh)');

  const unknown = countingPlatform({ known: false });
  await cache.get('t', 'nope', unknown.platform);
  assert.deepEqual(cache.fresh('t', 'nope'), { dataset: null, labels: null });
});

// The cache behind validated API keys and tenant rows: concurrent misses share one read, a value
// near its expiry is read again in the background while it keeps answering, nothing is served past
// its lifetime, and delete/clear discard reads already on their way (a controlled clock, no waiting).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRefreshAheadCache } from '../../src/runtime/refresh-ahead-cache.js';

/** A loader whose reads finish when the test says so. */
function controlledLoader() {
  const pending: ((value: string) => void)[] = [];
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    load: () =>
      new Promise<string>((resolve) => {
        reads++;
        pending.push(resolve);
      }),
    finish(value: string) {
      pending.shift()?.(value);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('concurrent misses of one key share one read', async () => {
  const cache = createRefreshAheadCache<string>({ ttlMs: 5000, now: () => 0 });
  const loader = controlledLoader();
  const answers = Array.from({ length: 50 }, () => cache.get('k', loader.load));
  loader.finish('v1');
  assert.deepEqual(new Set(await Promise.all(answers)), new Set(['v1']));
  assert.equal(loader.reads, 1);
});

test('near expiry one background read refreshes the value while the old one keeps answering; past expiry callers wait', async () => {
  let clock = 0;
  const cache = createRefreshAheadCache<string>({ ttlMs: 5000, refreshAheadMs: 1000, now: () => clock });
  const loader = controlledLoader();
  const first = cache.get('k', loader.load);
  loader.finish('v1');
  assert.equal(await first, 'v1');

  clock = 3999; // not yet in the refresh window
  assert.equal(await cache.get('k', loader.load), 'v1');
  assert.equal(loader.reads, 1);

  clock = 4500; // in the window: answered from the cache at once, one read starts behind it
  assert.deepEqual(await Promise.all([cache.get('k', loader.load), cache.get('k', loader.load)]), ['v1', 'v1']);
  assert.equal(loader.reads, 2);
  loader.finish('v2');
  await settle();
  assert.equal(await cache.get('k', loader.load), 'v2');

  clock = 4500 + 5000; // the refreshed value expired: the caller waits for a new read
  let answered = false;
  const waiting = cache.get('k', loader.load).then((v) => {
    answered = true;
    return v;
  });
  await settle();
  assert.equal(answered, false);
  loader.finish('v3');
  assert.equal(await waiting, 'v3');
});

test('failed reads are not kept, and a lifetime of 0 keeps nothing', async () => {
  const cache = createRefreshAheadCache<string | null>({ ttlMs: 5000, now: () => 0, lifetimeMs: (v) => (v === null ? 0 : 5000) });
  let reads = 0;
  await assert.rejects(
    cache.get('k', () => {
      reads++;
      return Promise.reject(new Error('database down'));
    }),
    /database down/,
  );
  const absent = () => {
    reads++;
    return Promise.resolve(null);
  };
  assert.equal(await cache.get('k', absent), null);
  assert.equal(await cache.get('k', absent), null);
  assert.equal(reads, 3);
});

test('a read that started before clear() answers its callers but is not stored', async () => {
  const cache = createRefreshAheadCache<string>({ ttlMs: 5000, now: () => 0 });
  const loader = controlledLoader();
  const before = cache.get('k', loader.load);
  cache.clear(); // e.g. the key was revoked meanwhile
  loader.finish('valid-before-revocation');
  assert.equal(await before, 'valid-before-revocation');
  const after = cache.get('k', loader.load);
  assert.equal(loader.reads, 2);
  loader.finish('revoked');
  assert.equal(await after, 'revoked');
});

// Rate-limit tokens leased from Redis in blocks (src/http/plugins/rate-limit-leases.ts): two stores
// on one Redis stand for two API processes. Across them a key is never admitted beyond its limit
// in a window, and it is refused early by at most the tokens another process leased and did not use.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { createLeasedStore, leaseSize, type LeasedStore } from '../../src/http/plugins/rate-limit-leases.js';

const windowMs = 60_000;
const max = 1000;
const prefix = `test${randomBytes(5).toString('hex')}:ratelimit:`;
let redis: Redis;

before(() => {
  redis = new Redis(loadConfig({}).redis.url, { maxRetriesPerRequest: 1 });
});
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

/** Takes one token: true when admitted, as the plugin decides (current <= max). */
function take(store: LeasedStore, key: string, limit = max): Promise<boolean> {
  return new Promise((resolve, reject) => {
    store.incr(key, (error, result) => (error || !result ? reject(error ?? new Error('no result')) : resolve(result.current <= limit)), windowMs, limit);
  });
}

async function admitted(store: LeasedStore, key: string, attempts: number, limit = max): Promise<number> {
  const outcomes = await Promise.all(Array.from({ length: attempts }, () => take(store, key, limit)));
  return outcomes.filter(Boolean).length;
}

describe('rate-limit leases shared by two processes', () => {
  test('both busy at once: together they admit exactly the limit, and Redis counted it', async () => {
    const a = createLeasedStore({ redis, keyPrefix: prefix });
    const b = createLeasedStore({ redis, keyPrefix: prefix });
    const [fromA, fromB] = await Promise.all([admitted(a, 'key:both', 1500), admitted(b, 'key:both', 1500)]);
    assert.equal(fromA + fromB, max, `admitted ${fromA} + ${fromB}`);
    assert.ok(fromA > 0 && fromB > 0, `admitted ${fromA} + ${fromB}`);
    assert.equal(Number(await redis.get(`${prefix}key:both`)), max);
    const ttl = await redis.pttl(`${prefix}key:both`);
    assert.ok(ttl > 0 && ttl <= windowMs, `pttl ${ttl}`);
    // Spent: each process is refused.
    assert.equal(await take(a, 'key:both'), false);
    assert.equal(await take(b, 'key:both'), false);
  });

  test('one process holding an unused lease: the other is refused at most one lease early, never late', async () => {
    const a = createLeasedStore({ redis, keyPrefix: prefix });
    const b = createLeasedStore({ redis, keyPrefix: prefix });
    assert.equal(await take(a, 'key:idle'), true);
    assert.equal(a.unusedTokens, leaseSize(max) - 1);
    let fromB = 0;
    while (await take(b, 'key:idle')) fromB++;
    assert.equal(fromB, max - leaseSize(max));
    // What A leased is still A's to hand out, and then the window is spent for it too.
    assert.equal(await admitted(a, 'key:idle', leaseSize(max) + 5), leaseSize(max) - 1);
    assert.equal(Number(await redis.get(`${prefix}key:idle`)), max);
  });

  test('a small limit leases one token at a time: exact across processes', async () => {
    const a = createLeasedStore({ redis, keyPrefix: prefix });
    const b = createLeasedStore({ redis, keyPrefix: prefix });
    const small = 6;
    const outcomes: boolean[] = [];
    for (let i = 0; i < small + 2; i++) outcomes.push(await take(i % 2 === 0 ? a : b, 'key:small', small));
    assert.deepEqual(outcomes, [true, true, true, true, true, true, false, false]);
    assert.equal(a.unusedTokens + b.unusedTokens, 0);
  });

  test('keys are separate budgets', async () => {
    const a = createLeasedStore({ redis, keyPrefix: prefix });
    assert.equal(await admitted(a, 'ip:198.51.100.1', 5, 3), 3);
    assert.equal(await admitted(a, 'ip:198.51.100.2', 5, 3), 3);
  });
});

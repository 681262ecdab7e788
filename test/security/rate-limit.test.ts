// Rate limits: per API key once authenticated, per client IP for public routes and failed
// authentication; over the limit a 429 problem+json with Retry-After.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApi, type TestApi } from '../support/api.js';

const perKey = 5;
const perIp = 3;
let api: TestApi;

before(async () => {
  api = await startTestApi({ env: { RATE_LIMIT_PER_MINUTE: String(perKey), RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: String(perIp) } });
});
after(async () => {
  await api.close();
});

function get(url: string, opts: { key?: string; ip: string }): Promise<LightMyRequestResponse> {
  return api.app.inject({ method: 'GET', url, remoteAddress: opts.ip, headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {} });
}

function assertLimited(res: LightMyRequestResponse) {
  assert.equal(res.statusCode, 429, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal((JSON.parse(res.body) as { code: string }).code, 'rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${String(res.headers['retry-after'])}`);
}

describe('rate limits', () => {
  test('per API key: the key over its budget gets 429, another key from the same address does not', async () => {
    for (let i = 0; i < perKey; i++) assert.equal((await get('/tenant', { key: api.keys.tenantA, ip: '198.51.100.10' })).statusCode, 200);
    assertLimited(await get('/tenant', { key: api.keys.tenantA, ip: '198.51.100.10' }));
    assertLimited(await get('/tenant', { key: api.keys.tenantA, ip: '198.51.100.99' }));
    assert.equal((await get('/tenant', { key: api.keys.tenantB, ip: '198.51.100.10' })).statusCode, 200);
  });

  test('public routes are limited per client IP', async () => {
    for (let i = 0; i < perIp; i++) assert.equal((await get('/healthz', { ip: '198.51.100.20' })).statusCode, 200);
    assertLimited(await get('/healthz', { ip: '198.51.100.20' }));
    assert.equal((await get('/healthz', { ip: '198.51.100.21' })).statusCode, 200);
  });

  test("failed authentication spends the IP's budget; a valid key from that address is still served", async () => {
    const wrong = 'aepj_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    for (let i = 0; i < perIp; i++) assert.equal((await get('/tenant', { key: wrong, ip: '198.51.100.30' })).statusCode, 401);
    assertLimited(await get('/tenant', { key: wrong, ip: '198.51.100.30' }));
    assertLimited(await get('/tenant', { ip: '198.51.100.30' }));
    assertLimited(await get('/healthz', { ip: '198.51.100.30' }));
    // The key's own budget is another one: bad keys from its address do not spend it.
    assert.equal((await get('/tenant', { key: api.keys.adminA, ip: '198.51.100.30' })).statusCode, 200);
    // Elsewhere, a valid key is unaffected.
    assert.equal((await get('/tenant', { key: api.keys.tenantB, ip: '198.51.100.31' })).statusCode, 200);
  });

  test('the counters live in Redis under the deployment prefix', async () => {
    const keys = await api.redis.keys(`${api.config.redis.queuePrefix}:ratelimit:*`);
    assert.ok(keys.some((k) => k.endsWith('ip:198.51.100.30')), keys.join(', '));
    assert.ok(keys.some((k) => k.includes('key:')), keys.join(', '));
  });
});

// IMS token caching against the simulator's IMS: one token request per credential however many
// callers, refresh before expiry, a fresh token and exactly one replay after a 401, no secrets in
// logs. IMS requests are counted from the simulator's own token table.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPlatformClient } from '../../src/platform/client.js';
import { PlatformError } from '../../src/platform/errors.js';
import { createTokenCache, credentialKey, refreshMarginMs, type TokenRequestEvent } from '../../src/platform/token-cache.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import {
  callRecorder,
  captureLogs,
  expireIssuedTokens,
  issuedTokenCount,
  issuedTokenExpiries,
  targetFor,
} from './support.js';

const TTL_SECONDS = 3_600;

void describe('IMS token cache', () => {
  let sim: TestSimulator;

  before(async () => {
    sim = await startSimulator({ tokenTtlSeconds: TTL_SECONDS });
  });
  after(async () => {
    await sim.close();
  });

  void it('50 concurrent callers share one IMS request', async () => {
    const before = await issuedTokenCount(sim);
    const events: TokenRequestEvent[] = [];
    const tokens = createTokenCache({ onTokenRequest: (e) => events.push(e) });
    try {
      const target = targetFor(sim);
      const results = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken(target)));
      assert.equal(new Set(results).size, 1);
      assert.equal((await issuedTokenCount(sim)) - before, 1);
      assert.equal(events.length, 1);
      // A later caller is served from the cache.
      assert.equal(await tokens.getToken(target), results[0]);
      assert.equal((await issuedTokenCount(sim)) - before, 1);
    } finally {
      await tokens.close();
    }
  });

  void it('50 concurrent Platform calls through the client need one token', async () => {
    const before = await issuedTokenCount(sim);
    const tokens = createTokenCache();
    const client = createPlatformClient({ target: targetFor(sim), tokens });
    try {
      const counts = await Promise.all(Array.from({ length: 50 }, () => client.countObjects('flow')));
      assert.equal(counts.length, 50);
      assert.ok(counts.every((n) => n === counts[0]));
      assert.equal((await issuedTokenCount(sim)) - before, 1);
    } finally {
      await client.close();
      await tokens.close();
    }
  });

  void it('refreshes before the token expires, not before the margin', async () => {
    const start = Date.now();
    let clock = start;
    const tokens = createTokenCache({ now: () => clock });
    try {
      const target = targetFor(sim);
      const before = await issuedTokenCount(sim);
      const first = await tokens.getToken(target);
      const ttlMs = TTL_SECONDS * 1000;
      const margin = refreshMarginMs(ttlMs);

      clock = start + ttlMs - margin - 1_000;
      assert.equal(await tokens.getToken(target), first, 'still outside the refresh margin');
      assert.equal((await issuedTokenCount(sim)) - before, 1);

      clock = start + ttlMs - margin + 1_000;
      const second = await tokens.getToken(target);
      assert.notEqual(second, first);
      assert.equal((await issuedTokenCount(sim)) - before, 2);
      // The refresh happened while the first token was still valid at IMS.
      const expiries = await issuedTokenExpiries(sim);
      const firstExpiry = expiries[expiries.length - 2];
      assert.ok(firstExpiry !== undefined && clock < firstExpiry, 'refreshed before expiry');
    } finally {
      await tokens.close();
    }
  });

  void it('keeps a margin of min(300 s, 10 % of the lifetime)', () => {
    const day = 86_399_000;
    assert.equal(refreshMarginMs(day), 300_000);
    assert.equal(refreshMarginMs(60_000), 6_000);
    assert.ok(refreshMarginMs(2_000) < 2_000);
  });

  void it('after a 401 fetches a fresh token and replays the call exactly once', async () => {
    const tokens = createTokenCache();
    const recorder = callRecorder();
    const client = createPlatformClient({ target: targetFor(sim), tokens, onCall: recorder.onCall });
    try {
      await client.countObjects('flow');
      const before = await issuedTokenCount(sim);
      await expireIssuedTokens(sim);
      recorder.calls.length = 0;

      const count = await client.countObjects('flow');
      assert.equal(typeof count, 'number');
      assert.deepEqual(
        recorder.calls.map((c) => [c.status, c.attempt]),
        [
          [401, 1],
          [200, 1],
        ],
      );
      assert.equal((await issuedTokenCount(sim)) - before, 1);
    } finally {
      await client.close();
      await tokens.close();
    }
  });

  void it('50 concurrent calls hitting a 401 together refresh the token once', async () => {
    const tokens = createTokenCache();
    const client = createPlatformClient({ target: targetFor(sim), tokens });
    try {
      await client.countObjects('flow');
      await expireIssuedTokens(sim);
      const before = await issuedTokenCount(sim);
      await Promise.all(Array.from({ length: 50 }, () => client.countObjects('flow')));
      assert.equal((await issuedTokenCount(sim)) - before, 1);
    } finally {
      await client.close();
      await tokens.close();
    }
  });

  void it('a wrong client secret is an auth error in plain words, not retried', async () => {
    const events: TokenRequestEvent[] = [];
    const tokens = createTokenCache({ onTokenRequest: (e) => events.push(e) });
    try {
      const target = targetFor(sim, { clientSecret: 'not-the-right-fake-secret' });
      const error = await tokens.getToken(target).then(
        () => assert.fail('expected IMS to refuse'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof PlatformError);
      assert.equal(error.kind, 'auth');
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_client');
      assert.match(error.plainMessage, /client id or client secret is wrong/);
      assert.ok(!error.plainMessage.includes('not-the-right-fake-secret'));
      assert.equal(events.length, 1);
    } finally {
      await tokens.close();
    }
  });

  void it('retries IMS after a 5xx', async () => {
    const events: TokenRequestEvent[] = [];
    const tokens = createTokenCache({ onTokenRequest: (e) => events.push(e), retry: { baseDelayMs: 10 } });
    try {
      await sim.setFaults({ rules: [{ match: { pathPrefix: '/ims/' }, effect: 'error5xx', status: 503, count: 1 }] });
      const before = await issuedTokenCount(sim);
      const token = await tokens.getToken(targetFor(sim));
      assert.ok(token.length > 0);
      assert.deepEqual(
        events.map((e) => e.outcome),
        ['failed', 'issued'],
      );
      assert.equal((await issuedTokenCount(sim)) - before, 1);
    } finally {
      await sim.setFaults({});
      await tokens.close();
    }
  });

  void it('never puts the secret or the token into keys or logs', async () => {
    const capture = captureLogs();
    const tokens = createTokenCache({ logger: capture.logger });
    const target = targetFor(sim);
    const client = createPlatformClient({ target, tokens, logger: capture.logger });
    try {
      await client.countObjects('flow');
      await expireIssuedTokens(sim);
      await client.countObjects('flow');
      const token = await tokens.getToken(target);
      const logs = capture.text();
      assert.ok(logs.length > 0, 'debug logs were written');
      assert.ok(!logs.includes(target.clientSecret));
      assert.ok(!logs.includes(token));
      assert.ok(!credentialKey(target).includes(target.clientSecret));
      assert.notEqual(credentialKey(target), credentialKey({ ...target, clientSecret: 'another-fake-secret' }));
    } finally {
      await client.close();
      await tokens.close();
    }
  });
});

// Standard Webhooks signing and verification: the reference libraries' published test vector,
// tampering (wrong secret, one byte changed), the ±300 s window, rotation, and replay protection.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  generateWebhookSecret,
  InMemoryReplayGuard,
  InvalidWebhookSecretError,
  parseWebhookSecret,
  sign,
  signedHeaders,
  verify,
  verifyWithReplayGuard,
} from '../../src/webhooks/standard-webhooks.js';

// Published in standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts
// ("sign function works"); the same vector appears in the other language libraries' tests.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const VECTOR_NOW_MS = VECTOR.timestamp * 1000;

function vectorHeaders(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature, ...overrides };
}

void describe('standard webhooks: sign', () => {
  void test('reproduces the published test vector', () => {
    assert.equal(sign({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, secret: VECTOR.secret }), VECTOR.signature);
    // The bare base64 form of the secret (no whsec_ prefix) and a Date timestamp sign the same.
    assert.equal(sign({ id: VECTOR.id, timestamp: new Date(VECTOR_NOW_MS), body: Buffer.from(VECTOR.body), secret: VECTOR.secret.slice(6) }), VECTOR.signature);
  });

  void test('matches an independent HMAC over "id.timestamp.body"', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'run.completed', data: { run_id: 7 } });
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`evt_1.1700000000.${body}`).digest('base64');
    assert.equal(sign({ id: 'evt_1', timestamp: 1700000000, body, secret }), `v1,${expected}`);
  });

  void test('signedHeaders signs with every secret, space-separated', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signedHeaders({ id: 'evt_2', timestamp: 1700000000, body: '{}', secrets: [a, b] });
    assert.equal(headers['webhook-timestamp'], '1700000000');
    assert.deepEqual(headers['webhook-signature'].split(' '), [
      sign({ id: 'evt_2', timestamp: 1700000000, body: '{}', secret: a }),
      sign({ id: 'evt_2', timestamp: 1700000000, body: '{}', secret: b }),
    ]);
  });

  void test('refuses ids with dots and secrets that are too short or not base64', () => {
    assert.throws(() => sign({ id: 'a.b', timestamp: 1, body: '', secret: VECTOR.secret }), RangeError);
    assert.throws(() => parseWebhookSecret(`whsec_${Buffer.alloc(16).toString('base64')}`), InvalidWebhookSecretError);
    assert.throws(() => parseWebhookSecret('whsec_not base64!'), InvalidWebhookSecretError);
    assert.equal(parseWebhookSecret(generateWebhookSecret()).length, 32);
  });
});

void describe('standard webhooks: verify', () => {
  void test('accepts the published vector at its own timestamp', () => {
    const result = verify({ headers: vectorHeaders(), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
    assert.deepEqual(result, { ok: true, id: VECTOR.id, timestamp: VECTOR.timestamp });
  });

  void test('rejects a wrong secret', () => {
    const result = verify({ headers: vectorHeaders(), rawBody: VECTOR.body, secrets: generateWebhookSecret(), now: VECTOR_NOW_MS });
    assert.equal(result.ok ? 'ok' : result.reason, 'bad_signature');
  });

  void test('rejects one changed byte in the body, the id or the timestamp', () => {
    const changedBody = VECTOR.body.replace('2432232314', '2432232315');
    const cases = [
      { headers: vectorHeaders(), rawBody: changedBody },
      { headers: vectorHeaders({ 'webhook-id': `${VECTOR.id.slice(0, -1)}l` }), rawBody: VECTOR.body },
      { headers: vectorHeaders({ 'webhook-timestamp': String(VECTOR.timestamp + 1) }), rawBody: VECTOR.body },
    ];
    for (const { headers, rawBody } of cases) {
      const result = verify({ headers, rawBody, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
      assert.equal(result.ok ? 'ok' : result.reason, 'bad_signature');
    }
    // A flipped bit inside the signature itself fails as well.
    const raw = Buffer.from(VECTOR.signature.slice(3), 'base64');
    raw[0] = (raw[0] ?? 0) ^ 1;
    const result = verify({ headers: vectorHeaders({ 'webhook-signature': `v1,${raw.toString('base64')}` }), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
    assert.equal(result.ok ? 'ok' : result.reason, 'bad_signature');
  });

  void test('enforces the ±300 s window: 300 s passes, 301 s fails in both directions', () => {
    const at = (offsetSeconds: number) => verify({ headers: vectorHeaders(), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS + offsetSeconds * 1000 });
    assert.equal(at(300).ok, true);
    assert.equal(at(-300).ok, true);
    const late = at(301);
    assert.equal(late.ok ? 'ok' : late.reason, 'stale_timestamp');
    const early = at(-301);
    assert.equal(early.ok ? 'ok' : early.reason, 'future_timestamp');
    const custom = verify({ headers: vectorHeaders(), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS + 61_000, toleranceSeconds: 60 });
    assert.equal(custom.ok ? 'ok' : custom.reason, 'stale_timestamp');
  });

  void test('accepts a header with several signatures when any one matches', () => {
    const header = ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', 'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', VECTOR.signature, 'v1a,abc'].join(' ');
    const result = verify({ headers: vectorHeaders({ 'webhook-signature': header }), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
    assert.equal(result.ok, true);
  });

  void test('accepts any of several secrets (rotation) and dual-signed deliveries', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"type":"run.completed"}';
    const nowMs = 1_700_000_000_000;
    const signedWithOld = signedHeaders({ id: 'evt_3', timestamp: nowMs / 1000, body, secrets: oldSecret });
    assert.equal(verify({ headers: signedWithOld, rawBody: body, secrets: [newSecret, oldSecret], now: nowMs }).ok, true);
    assert.equal(verify({ headers: signedWithOld, rawBody: body, secrets: [newSecret], now: nowMs }).ok, false);
    const dual = signedHeaders({ id: 'evt_3', timestamp: nowMs / 1000, body, secrets: [newSecret, oldSecret] });
    assert.equal(verify({ headers: dual, rawBody: body, secrets: newSecret, now: nowMs }).ok, true);
  });

  void test('reports missing headers and malformed timestamps', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const result = verify({ headers: vectorHeaders({ [name]: undefined }), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
      assert.equal(result.ok ? 'ok' : result.reason, 'missing_header', name);
    }
    const bad = verify({ headers: vectorHeaders({ 'webhook-timestamp': 'hello' }), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
    assert.equal(bad.ok ? 'ok' : bad.reason, 'invalid_timestamp');
    const partial = verify({ headers: vectorHeaders({ 'webhook-signature': 'v1,' }), rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS });
    assert.equal(partial.ok ? 'ok' : partial.reason, 'bad_signature');
  });

  void test('header names match case-insensitively', () => {
    const headers = { 'Webhook-Id': VECTOR.id, 'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp), 'webhook-signature': [VECTOR.signature] };
    assert.equal(verify({ headers, rawBody: VECTOR.body, secrets: VECTOR.secret, now: VECTOR_NOW_MS }).ok, true);
  });
});

void describe('standard webhooks: replay guard', () => {
  void test('a second delivery of the same id is rejected as replayed; it is forgotten after the window', async () => {
    let nowMs = VECTOR_NOW_MS;
    const guard = new InMemoryReplayGuard(() => nowMs);
    const input = { headers: vectorHeaders(), rawBody: VECTOR.body, secrets: VECTOR.secret, guard };
    assert.equal((await verifyWithReplayGuard({ ...input, now: nowMs })).ok, true);
    const again = await verifyWithReplayGuard({ ...input, now: nowMs });
    assert.equal(again.ok ? 'ok' : again.reason, 'replayed');
    // Once the timestamp has left the window the delivery is stale anyway, and the id is dropped.
    nowMs += 3600_000;
    const stale = await verifyWithReplayGuard({ ...input, now: nowMs });
    assert.equal(stale.ok ? 'ok' : stale.reason, 'stale_timestamp');
    assert.equal(await guard.remember('other', nowMs + 1000), true);
    assert.equal(await guard.remember(VECTOR.id, nowMs + 1000), true, 'the expired id was forgotten');
  });
});

describe('wire compatibility with the reference library', () => {
  test('the reference verifier accepts our deliveries, and we accept its signatures', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'export.succeeded', data: { id: 'e1' } });
    const nowMs = Date.now();
    const ours = signedHeaders({ id: 'msg_ours', timestamp: new Date(nowMs), body, secrets: secret });
    assert.deepEqual(new Webhook(secret).verify(body, ours), JSON.parse(body));

    const theirs = {
      'webhook-id': 'msg_theirs',
      'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_theirs', new Date(nowMs), body),
    };
    assert.deepEqual(verify({ headers: theirs, rawBody: body, secrets: secret, now: nowMs }), { ok: true, id: 'msg_theirs', timestamp: Math.floor(nowMs / 1000) });
  });
});

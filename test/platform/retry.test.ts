// Backoff arithmetic, Retry-After parsing and which failures each kind of call may retry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlatformError } from '../../src/platform/errors.js';
import { parseRetryAfterMs } from '../../src/platform/retry-after.js';
import { fullJitterDelayMs, isRetryable, retryDelayMs, withRetry, type RetryPolicy } from '../../src/platform/retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, rateLimitFloorMs: 500, maxRetryAfterMs: 5_000 };

function transient(init: { status?: number; reachedServer?: boolean; retryAfterMs?: number } = {}): PlatformError {
  return new PlatformError({ kind: 'transient', endpoint: 'test', plainMessage: 'Temporary problem.', ...init });
}

void describe('full jitter backoff', () => {
  void it('stays within [0, min(cap, base * 2^(n-1)))', () => {
    for (let retry = 1; retry <= 8; retry++) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
      assert.equal(fullJitterDelayMs(retry, policy, () => 0), 0);
      const highest = fullJitterDelayMs(retry, policy, () => 0.999999);
      assert.ok(highest < ceiling && highest >= ceiling - 1, `retry ${retry}: ${highest} vs ceiling ${ceiling}`);
    }
  });

  void it('spreads delays rather than using one fixed value', () => {
    const delays = new Set(Array.from({ length: 50 }, () => fullJitterDelayMs(4, policy)));
    assert.ok(delays.size > 10, `only ${delays.size} distinct delays`);
  });
});

void describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  void it('reads delay-seconds', () => {
    assert.equal(parseRetryAfterMs('7', now), 7_000);
    assert.equal(parseRetryAfterMs(['3', '9'], now), 3_000);
  });

  void it('reads an HTTP date relative to now', () => {
    const at = new Date(now + 12_000).toUTCString();
    assert.equal(parseRetryAfterMs(at, now), 12_000);
    assert.equal(parseRetryAfterMs(new Date(now - 5_000).toUTCString(), now), 0);
  });

  void it('ignores absent or garbage values', () => {
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
    assert.equal(parseRetryAfterMs('soon', now), undefined);
    assert.equal(parseRetryAfterMs(' ', now), undefined);
  });

  void it('is a floor under the jittered delay, and too long a wait goes back to the caller', () => {
    assert.equal(retryDelayMs(transient({ status: 429, retryAfterMs: 2_000 }), 1, policy, () => 0.5), 2_000);
    // Without Retry-After a 429 still waits at least the rate-limit floor.
    assert.equal(retryDelayMs(transient({ status: 429 }), 1, policy, () => 0), policy.rateLimitFloorMs);
    assert.equal(retryDelayMs(transient({ status: 503 }), 1, policy, () => 0), 0);
    assert.equal(retryDelayMs(transient({ status: 429, retryAfterMs: 60_000 }), 1, policy), undefined);
  });
});

void describe('which failures are retried', () => {
  void it('retries every transient failure of a safe call, nothing else', () => {
    assert.equal(isRetryable(transient({ status: 503 }), 'safe'), true);
    assert.equal(isRetryable(transient({ reachedServer: true }), 'safe'), true);
    const permanent = new PlatformError({ kind: 'permanent', endpoint: 'test', plainMessage: 'Bad.', status: 400 });
    assert.equal(isRetryable(permanent, 'safe'), false);
  });

  void it('retries a create only when the server provably did not process it', () => {
    assert.equal(isRetryable(transient({ status: 429 }), 'create'), true);
    assert.equal(isRetryable(transient({ reachedServer: false }), 'create'), true);
    assert.equal(isRetryable(transient({ status: 503 }), 'create'), false);
    assert.equal(isRetryable(transient({ reachedServer: true }), 'create'), false);
  });

  void it('turns a possibly-applied create failure into an ambiguous error after one attempt', async () => {
    let attempts = 0;
    const failure = await withRetry(
      () => {
        attempts += 1;
        return Promise.reject(transient({ status: 502 }));
      },
      { policy, safety: 'create', subject: 'flow' },
    ).then(
      () => assert.fail('expected a failure'),
      (error: unknown) => error,
    );
    assert.equal(attempts, 1);
    assert.ok(failure instanceof PlatformError);
    assert.equal(failure.ambiguous, true);
    assert.equal(failure.kind, 'transient');
    assert.match(failure.plainMessage, /may or may not have created the flow/);
  });

  void it('gives up after maxAttempts for a safe call, reporting each retry', async () => {
    let attempts = 0;
    const retries: number[] = [];
    await assert.rejects(
      withRetry(
        () => {
          attempts += 1;
          return Promise.reject(transient({ status: 500 }));
        },
        { policy: { ...policy, baseDelayMs: 1 }, safety: 'safe', subject: 'flow', onRetry: (info) => retries.push(info.attempt) },
      ),
      (error: unknown) => error instanceof PlatformError && !error.ambiguous && error.status === 500,
    );
    assert.equal(attempts, policy.maxAttempts);
    assert.deepEqual(retries, [1, 2, 3]);
  });
});

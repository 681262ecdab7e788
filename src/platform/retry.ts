// Retries inside one Platform call: exponential backoff with full jitter
// (sleep = random(0, min(cap, base * 2^n))), Retry-After honoured as a floor, and creates never
// replayed once the request may have reached the server (a replayed POST makes duplicates).
import { setTimeout as sleepFor } from 'node:timers/promises';
import { PlatformError } from './errors.js';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  /** Cap of the exponential ceiling. */
  maxDelayMs: number;
  /** Minimum wait after a 429 that carries no Retry-After. */
  rateLimitFloorMs: number;
  /** A longer Retry-After is not waited for here: the error goes to the caller (the job delays). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  rateLimitFloorMs: 1_000,
  maxRetryAfterMs: 60_000,
};

/**
 * `safe`: GET, DELETE, PATCH with If-Match, flow actions, IMS token requests.
 * `create`: POSTs that make a new object (connections, flows, ad hoc runs).
 */
export type CallSafety = 'safe' | 'create';

/** Full jitter: uniform in [0, min(cap, base * 2^(retryNumber-1))). */
export function fullJitterDelayMs(retryNumber: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}

/** Whether this failure may be retried for a call of this safety. */
export function isRetryable(error: PlatformError, safety: CallSafety): boolean {
  if (error.kind !== 'transient') return false;
  if (safety === 'safe') return true;
  // A create may only be replayed when the server provably did not process it.
  return error.status === 429 || !error.reachedServer;
}

/** How long to wait before retry number `retryNumber`, or undefined to give up now. */
export function retryDelayMs(
  error: PlatformError,
  retryNumber: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  const jitter = fullJitterDelayMs(retryNumber, policy, random);
  const floor = error.retryAfterMs ?? (error.status === 429 ? policy.rateLimitFloorMs : 0);
  if (floor > policy.maxRetryAfterMs) return undefined;
  return Math.max(floor, jitter);
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  delayMs: number;
  error: PlatformError;
}

export interface RetryOptions {
  policy: RetryPolicy;
  safety: CallSafety;
  /** Noun for the ambiguous-create message, e.g. "flow". */
  subject: string;
  signal?: AbortSignal;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or attempts run out.
 * A create that failed after the request may have been applied is rethrown as ambiguous.
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, safety } = options;
  for (let attemptNumber = 1; ; attemptNumber++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (!isRetryable(error, safety)) {
        throw safety === 'create' && error.kind === 'transient' ? error.asAmbiguous(options.subject) : error;
      }
      const delayMs = attemptNumber < policy.maxAttempts ? retryDelayMs(error, attemptNumber, policy, options.random) : undefined;
      if (delayMs === undefined) throw error;
      options.onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleepFor(delayMs, undefined, { signal: options.signal });
    }
  }
}

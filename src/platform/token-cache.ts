// IMS access tokens cached per credential, refreshed before expiry, with one token request in
// flight per credential however many callers ask at once (single-flight). The cache key is a
// hash: the client secret never appears in a key, a log line or an error.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { PlatformError } from './errors.js';
import { createOriginPools, DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts, type OriginPools } from './http.js';
import { IMS_ENDPOINT, requestImsToken, type IssuedToken } from './ims.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import type { PlatformTarget } from './types.js';

export interface TokenCache {
  /** A valid token for this credential; fetches one (once, shared) when missing or due. */
  getToken(target: PlatformTarget, signal?: AbortSignal): Promise<string>;
  /** Drops `rejectedToken` if it is still the cached one (after a 401 from the Platform). */
  invalidate(target: PlatformTarget, rejectedToken: string): void;
  close(): Promise<void>;
}

export interface TokenRequestEvent {
  /** Hashed credential key (safe to log). */
  credential: string;
  outcome: 'issued' | 'failed';
  attempt: number;
}

export interface TokenCacheOptions {
  /** Shared pools; when absent the cache owns its own and closes them. */
  pools?: OriginPools;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  now?: () => number;
  /** Called once per IMS request (for metrics and tests). */
  onTokenRequest?: (event: TokenRequestEvent) => void;
}

interface CachedToken {
  token: string;
  /** After this instant callers wait for a fresh token. */
  refreshAtMs: number;
  expiresAtMs: number;
}

/** Refresh margin: aepp uses 500 s; 10 % of the lifetime keeps short test TTLs usable. */
export function refreshMarginMs(ttlMs: number): number {
  return Math.min(300_000, Math.floor(ttlMs * 0.1));
}

/** Stable, secret-free key for one credential. */
export function credentialKey(target: PlatformTarget): string {
  const secretHash = createHash('sha256').update(target.clientSecret).digest('hex');
  const scopes = [...target.scopes].map((s) => s.trim()).sort().join(',');
  return createHash('sha256')
    .update([target.imsUrl.replace(/\/$/, ''), target.clientId, secretHash, scopes].join('\n'))
    .digest('hex')
    .slice(0, 32);
}

/** Waits for `promise` but gives up (for this caller only) when `signal` fires. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createTokenCache(options: TokenCacheOptions = {}): TokenCache {
  const ownsPools = options.pools === undefined;
  const pools = options.pools ?? createOriginPools(options.timeouts);
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const now = options.now ?? Date.now;
  const log = options.logger?.child({ component: 'ims-token-cache' });
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<CachedToken>>();

  async function fetchToken(key: string, target: PlatformTarget): Promise<CachedToken> {
    const issued: IssuedToken = await withRetry(
      async (attempt) => {
        try {
          const token = await requestImsToken(pools, target, timeouts, now);
          options.onTokenRequest?.({ credential: key, outcome: 'issued', attempt });
          return token;
        } catch (error) {
          options.onTokenRequest?.({ credential: key, outcome: 'failed', attempt });
          throw error;
        }
      },
      {
        policy,
        safety: 'safe',
        subject: 'access token',
        onRetry: ({ attempt, delayMs, error }) =>
          log?.warn({ credential: key, attempt, delayMs, kind: error.kind, status: error.status }, 'IMS token request failed, retrying'),
      },
    );
    const obtainedAt = now();
    const entry: CachedToken = {
      token: issued.accessToken,
      expiresAtMs: obtainedAt + issued.ttlMs,
      refreshAtMs: obtainedAt + issued.ttlMs - refreshMarginMs(issued.ttlMs),
    };
    log?.debug({ credential: key, ttlMs: issued.ttlMs }, 'IMS token issued');
    return entry;
  }

  function refresh(key: string, target: PlatformTarget): Promise<CachedToken> {
    const pending = inFlight.get(key);
    if (pending) return pending;
    const previous = cache.get(key);
    const started = fetchToken(key, target)
      .then((entry) => {
        cache.set(key, entry);
        return entry;
      })
      .catch((error: unknown) => {
        // IMS trouble during the refresh margin: the old token is still valid, keep using it.
        if (previous && previous === cache.get(key) && now() < previous.expiresAtMs && isTransient(error)) {
          log?.warn({ credential: key }, 'IMS refresh failed; using the current token until it expires');
          return previous;
        }
        throw error;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  return {
    async getToken(target, signal) {
      signal?.throwIfAborted();
      const key = credentialKey(target);
      const cached = cache.get(key);
      if (cached && now() < cached.refreshAtMs) return cached.token;
      const entry = await raceAbort(refresh(key, target), signal);
      return entry.token;
    },
    invalidate(target, rejectedToken) {
      const key = credentialKey(target);
      if (cache.get(key)?.token === rejectedToken) {
        cache.delete(key);
        log?.info({ credential: key }, 'access token rejected by the Platform; dropped from cache');
      }
    },
    async close() {
      cache.clear();
      if (ownsPools) await pools.close();
    },
  };
}

function isTransient(error: unknown): boolean {
  return error instanceof PlatformError && error.kind === 'transient' && error.endpoint === IMS_ENDPOINT;
}

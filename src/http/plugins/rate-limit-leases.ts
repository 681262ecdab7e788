// A store for @fastify/rate-limit that keeps Redis the shared truth of every window's count but
// does not ask it on every request: a process takes tokens from a key's Redis counter in blocks (a
// lease), hands them out locally, and asks again when they run out. One Lua call grants at most
// what is left of the window's budget, so across every API process a key is never admitted beyond
// its limit in a window; tokens a process leased but did not use are lost to the others, so a
// key whose requests are spread over P processes may be refused up to (P − 1) × lease requests
// early (a lease is 1 % of the limit, so 1 % per other process; limits under 200 lease one token,
// which is a round trip per request as before). Before: one Redis round trip per request, 12 % of
// the API's CPU under load and a wait on Redis in every request's latency.
// Windows are fixed, as the plugin's own Redis store keeps them: they start with a key's first
// count and last timeWindow. A lease's tokens expire at (time the claim was sent + the window's
// remaining TTL as Redis answered it), never after the window ends in Redis. A refusal is Redis's
// answer each time, as before, so with Redis unreachable every limit is skipped (rate-limit.ts).
// test/security/rate-limit-leases.test.ts shows the bound with two stores (two processes) on one Redis.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

/** Keys with a lease kept at once. */
const maxKeys = 10_000;

/** A block is this share of the limit, at least one token. */
const leaseShare = 0.01;

export function leaseSize(max: number): number {
  return Math.max(1, Math.floor(max * leaseShare));
}

/**
 * Grants min(wanted, what is left of the window's budget), starting the window on its first
 * grant. Returns {granted, count after the grant, window's remaining ms}.
 */
const claimScript = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local max = tonumber(ARGV[2])
local granted = math.max(0, math.min(tonumber(ARGV[1]), max - used))
if granted > 0 then used = redis.call('INCRBY', KEYS[1], granted) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  if used > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  ttl = tonumber(ARGV[3])
end
return {granted, used, ttl}
`;

interface LeaseRedis extends Redis {
  rateLimitLease(key: string, wanted: number, max: number, windowMs: number): Promise<[number, number, number]>;
}

interface Lease {
  /** Tokens this process may still hand out in the window. */
  tokens: number;
  /** The key's count in Redis when this lease was granted. */
  used: number;
  /** Local time (ms) after which the tokens are void. */
  expiresAt: number;
}

/** What the plugin reads as over the limit (current > max), with the window's remaining ms. */
interface Refusal {
  current: number;
  ttl: number;
}

type Answer = (error: Error | null, result?: { current: number; ttl: number }) => void;

export interface LeasedStoreOptions {
  redis: Redis;
  /** Prefix of the counters' keys in Redis. */
  keyPrefix: string;
  now?: () => number;
}

export interface LeasedStore extends FastifyRateLimitStore {
  /** Tokens leased and not yet handed out, all keys (for tests). */
  readonly unusedTokens: number;
}

export function createLeasedStore(opts: LeasedStoreOptions): LeasedStore {
  const redis = opts.redis as LeaseRedis;
  if (typeof redis.rateLimitLease !== 'function') redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: claimScript });
  const now = opts.now ?? Date.now;
  const leases = new Map<string, Lease>();
  /** Claims in flight, one per key; the requests that ran out meanwhile wait for it. */
  const claims = new Map<string, Promise<Refusal | undefined>>();

  /** Asks Redis for a lease; resolves with the refusal when the window's budget is spent. */
  function claim(key: string, windowMs: number, max: number): Promise<Refusal | undefined> {
    let pending = claims.get(key);
    if (pending === undefined) {
      const sentAt = now();
      pending = redis
        .rateLimitLease(opts.keyPrefix + key, leaseSize(max), max, windowMs)
        .then(([granted, used, ttl]): Refusal | undefined => {
          if (granted === 0) {
            leases.delete(key);
            return { current: max + 1, ttl };
          }
          // Forgetting leases only loses tokens (never admits more), so a flood of client IPs
          // cannot grow the map without bound.
          if (leases.size >= maxKeys) leases.clear();
          leases.set(key, { tokens: granted, used, expiresAt: sentAt + ttl });
          return undefined;
        })
        .finally(() => claims.delete(key));
      claims.set(key, pending);
    }
    return pending;
  }

  /** Hands out a token from the lease, or undefined when Redis must be asked. */
  function fromLease(key: string, max: number, at: number): { current: number; ttl: number } | undefined {
    const lease = leases.get(key);
    if (lease === undefined) return undefined;
    if (at >= lease.expiresAt) {
      leases.delete(key);
      return undefined;
    }
    if (lease.tokens === 0) return undefined;
    lease.tokens--;
    return { current: Math.min(max, lease.used - lease.tokens), ttl: lease.expiresAt - at };
  }

  function incr(key: string, answer: Answer, windowMs: number, max: number): void {
    const local = fromLease(key, max, now());
    if (local !== undefined) {
      answer(null, local);
      return;
    }
    claim(key, windowMs, max).then(
      // Spent, or another request took the last token of the new lease first: ask again.
      (refusal) => (refusal ? answer(null, refusal) : incr(key, answer, windowMs, max)),
      (error: unknown) => answer(error instanceof Error ? error : new Error(String(error))),
    );
  }

  // One store serves every limiter; keys carry their limiter's name (key:…, ip:…).
  const store: LeasedStore = {
    incr,
    child: () => store,
    get unusedTokens() {
      let sum = 0;
      for (const lease of leases.values()) sum += lease.tokens;
      return sum;
    },
  };
  return store;
}

/** The store as @fastify/rate-limit's `store` option wants it: a class, here one whose instances are `store`. */
export function storeClassOf(store: FastifyRateLimitStore): FastifyRateLimitStoreCtor {
  return class {
    constructor() {
      return store;
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

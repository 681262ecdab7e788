// Rate limits (@fastify/rate-limit, fixed one-minute windows), counted in Redis so every API
// process shares them (on the producer's ioredis connection, keys under `<QUEUE_PREFIX>:ratelimit:`),
// with tokens taken from Redis in blocks rather than one round trip per request
// (rate-limit-leases.ts: never beyond the limit across processes): per API key once
// authenticated, per client IP otherwise. An IP's
// budget is spent by public routes and by failed authentication only, so a valid key is never
// refused because bad keys from its address spent the IP's budget, and nobody can spend another
// caller's per-key budget. Over the limit: 429 problem+json with Retry-After; a failed
// authentication over the IP's budget is a 429 instead of its 401.
// Redis unreachable: limits are skipped (the API keeps answering; the producer connection's own
// error log says Redis is down) rather than refusing every request. docs/security.md.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors.js';
import { problemResponses } from '../routes/problem-schema.js';
import { createLeasedStore, storeClassOf } from './rate-limit-leases.js';

export interface RateLimitOptions {
  perMinute: number;
  unauthenticatedPerMinute: number;
  /** Shared by the API processes; commands must fail fast while it is down (no offline queue). */
  redis: Redis;
  /** Key prefix in Redis (the queue prefix, so deployments and tests sharing a Redis stay apart). */
  keyPrefix: string;
}

const windowMs = 60_000;

function limited(ttlMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  return new AppError('rate_limited', `Too many requests; retry in ${seconds} s.`, { headers: { 'retry-after': String(seconds) } });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Spends the client IP's budget on a failed authentication: the 429 to send instead, or null. */
    unauthenticatedRefusal(request: FastifyRequest): Promise<AppError | null>;
  }
}

export default fp(
  async function rateLimits(app: FastifyInstance, opts: RateLimitOptions) {
    const store = createLeasedStore({ redis: opts.redis, keyPrefix: `${opts.keyPrefix}:ratelimit:` });
    await app.register(rateLimit, { global: false, store: storeClassOf(store), skipOnError: true });

    // Every documented route can answer 429.
    app.addHook('onRoute', (route) => {
      if (!route.schema?.response) return;
      route.schema.response = { ...route.schema.response, 429: problemResponses(429)[429] };
    });

    const perKey = app.createRateLimit({ max: opts.perMinute, timeWindow: windowMs, keyGenerator: (r: FastifyRequest) => `key:${r.auth.apiKeyId}` });
    const perIp = app.createRateLimit({ max: opts.unauthenticatedPerMinute, timeWindow: windowMs, keyGenerator: (r: FastifyRequest) => `ip:${r.ip}` });

    // After authentication (preParsing follows every onRequest hook), before the body is read:
    // spend the key's budget, or the IP's on a public route.
    app.addHook('preParsing', async (request) => {
      const state = request.auth ? await perKey(request) : await perIp(request);
      if (!state.isAllowed && state.isExceeded) throw limited(state.ttl);
    });

    app.decorate('unauthenticatedRefusal', async (request: FastifyRequest) => {
      const state = await perIp(request);
      return !state.isAllowed && state.isExceeded ? limited(state.ttl) : null;
    });
  },
  { name: 'rate-limit' },
);

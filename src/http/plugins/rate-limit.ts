// Rate limits (@fastify/rate-limit, fixed one-minute windows, in memory per API process): per API key
// once authenticated, per client IP otherwise. An IP's budget is spent by public routes and by failed
// authentication (401), and checked before the key is looked up, so guessing keys is throttled
// without letting anyone spend another caller's per-key budget. Over the limit: 429 problem+json with
// Retry-After. Register it before the auth plugin so its first check runs before the key lookup.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.js';
import { problemResponses } from '../routes/problem-schema.js';

export interface RateLimitOptions {
  perMinute: number;
  unauthenticatedPerMinute: number;
}

const windowMs = 60_000;

function limited(ttlMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  return new AppError('rate_limited', `Too many requests; retry in ${seconds} s.`, { headers: { 'retry-after': String(seconds) } });
}

export default fp(
  async function rateLimits(app: FastifyInstance, opts: RateLimitOptions) {
    await app.register(rateLimit, { global: false });

    // Every documented route can answer 429.
    app.addHook('onRoute', (route) => {
      if (!route.schema?.response) return;
      route.schema.response = { ...route.schema.response, 429: problemResponses(429)[429] };
    });

    const perKey = app.createRateLimit({ max: opts.perMinute, timeWindow: windowMs, keyGenerator: (r: FastifyRequest) => `key:${r.auth.apiKeyId}` });
    const perIp = app.createRateLimit({ max: opts.unauthenticatedPerMinute, timeWindow: windowMs, keyGenerator: (r: FastifyRequest) => `ip:${r.ip}` });

    // Before auth: an IP over its unauthenticated budget is refused without a key lookup.
    app.addHook('onRequest', async (request) => {
      const state = await perIp(request, { increment: false });
      // A read does not count this request: the budget is gone once nothing remains.
      if (!state.isAllowed && state.remaining === 0) throw limited(state.ttl);
    });

    // After auth (preParsing follows every onRequest hook), before the body is read: spend the key's
    // budget, or the IP's on a public route.
    app.addHook('preParsing', async (request) => {
      const state = request.auth ? await perKey(request) : await perIp(request);
      if (!state.isAllowed && state.isExceeded) throw limited(state.ttl);
    });

    // A failed authentication spends the IP's budget.
    app.addHook('onResponse', async (request, reply) => {
      if (reply.statusCode === 401) await perIp(request);
    });
  },
  { name: 'rate-limit' },
);

// Bearer API-key authentication. Every route except health, docs and metrics needs a key; the key
// binds the request to one tenant (request.auth), and every store call is scoped by it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { addToLogContext } from '../../logger.js';
import { parseApiKey, secretMatches, type ApiKeyRole } from '../../tenants/api-keys.js';
import { createRefreshAheadCache } from '../../runtime/refresh-ahead-cache.js';
import { findApiKeyByPrefix } from '../../tenants/tenant-store.js';

export interface AuthContext {
  tenantId: string;
  apiKeyId: string;
  role: ApiKeyRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext;
  }
  interface FastifyContextConfig {
    /** Routes that need no API key (health, docs). */
    public?: boolean;
    /** Routes only admin keys may call. */
    adminOnly?: boolean;
  }
}

/**
 * Validated keys are cached briefly so the hot accept path skips a database round trip; one lookup
 * per key at a time, refreshed ahead of expiry (src/runtime/refresh-ahead-cache.ts), so a busy key's
 * requests do not all wait on the database every cacheTtlMs. A revocation still takes effect within
 * cacheTtlMs (and at once in this process, forgetApiKeys).
 */
const cacheTtlMs = 5000;

interface ValidKey {
  auth: AuthContext;
  /** When a rotated key stops working (epoch ms), Infinity when not scheduled. */
  revokesAt: number;
}

export default fp(
  async function auth(app: FastifyInstance, opts: { db: Db }) {
    const validKeys = createRefreshAheadCache<ValidKey>({ ttlMs: cacheTtlMs, lifetimeMs: (key, now) => Math.min(cacheTtlMs, key.revokesAt - now) });

    async function lookUp(token: string): Promise<ValidKey> {
      const parsed = parseApiKey(token);
      const row = parsed ? await findApiKeyByPrefix(opts.db, parsed.prefix) : null;
      // A rotated key keeps working until its (future) revocation instant.
      const revokesAt = row?.revokedAt?.getTime() ?? Infinity;
      if (!parsed || !row || revokesAt <= Date.now() || !secretMatches(parsed.secret, row.secretHash)) {
        throw new AppError('unauthorized', 'The API key is unknown or revoked.', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      }
      return { auth: { tenantId: row.tenantId, apiKeyId: row.id, role: row.role === 'admin' ? 'admin' : 'tenant' }, revokesAt };
    }

    async function authenticate(request: FastifyRequest): Promise<AuthContext> {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      if (!token) throw new AppError('unauthorized', 'Send an API key as "Authorization: Bearer <key>".', { headers: { 'www-authenticate': 'Bearer' } });
      return (await validKeys.get(token, () => lookUp(token))).auth;
    }

    app.decorateRequest('auth', null as unknown as AuthContext);
    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      // Swagger UI and its assets are public documentation.
      if (config.public || !request.routeOptions.url || request.routeOptions.url.startsWith('/docs')) return;
      try {
        request.auth = await authenticate(request);
      } catch (error) {
        // A failed authentication spends the client IP's budget (src/http/plugins/rate-limit.ts).
        if (error instanceof AppError && error.code === 'unauthorized' && app.hasDecorator('unauthenticatedRefusal')) {
          throw (await app.unauthenticatedRefusal(request)) ?? error;
        }
        throw error;
      }
      // Every line logged for the request from here on names its tenant (no second child logger).
      addToLogContext({ tenantId: request.auth.tenantId });
      if (config.adminOnly && request.auth.role !== 'admin') throw new AppError('forbidden', 'This route needs an admin API key.');
    });
    /** Revocation must take effect at once in this process. */
    app.decorate('forgetApiKeys', () => validKeys.clear());
  },
  { name: 'auth' },
);

declare module 'fastify' {
  interface FastifyInstance {
    forgetApiKeys(): void;
  }
}

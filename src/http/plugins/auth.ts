// Bearer API-key authentication. Every route except health, docs and metrics needs a key; the key
// binds the request to one tenant (request.auth), and every store call is scoped by it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { parseApiKey, secretMatches, type ApiKeyRole } from '../../tenants/api-keys.js';
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

/** Validated keys are cached briefly so the hot accept path skips a database round trip. */
const cacheTtlMs = 5000;

export default fp(
  async function auth(app: FastifyInstance, opts: { db: Db }) {
    const cache = new Map<string, { auth: AuthContext; until: number }>();

    async function authenticate(request: FastifyRequest): Promise<AuthContext> {
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      if (!token) throw new AppError('unauthorized', 'Send an API key as "Authorization: Bearer <key>".', { headers: { 'www-authenticate': 'Bearer' } });
      const cached = cache.get(token);
      if (cached && cached.until > Date.now()) return cached.auth;
      const parsed = parseApiKey(token);
      const row = parsed ? await findApiKeyByPrefix(opts.db, parsed.prefix) : null;
      const now = Date.now();
      // A rotated key keeps working until its (future) revocation instant.
      const revoked = row?.revokedAt ? row.revokedAt.getTime() <= now : false;
      if (!parsed || !row || revoked || !secretMatches(parsed.secret, row.secretHash)) {
        cache.delete(token);
        throw new AppError('unauthorized', 'The API key is unknown or revoked.', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      }
      const result: AuthContext = { tenantId: row.tenantId, apiKeyId: row.id, role: row.role === 'admin' ? 'admin' : 'tenant' };
      if (cache.size > 10_000) cache.clear();
      cache.set(token, { auth: result, until: Math.min(now + cacheTtlMs, row.revokedAt?.getTime() ?? Infinity) });
      return result;
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
      request.log = request.log.child({ tenantId: request.auth.tenantId });
      if (config.adminOnly && request.auth.role !== 'admin') throw new AppError('forbidden', 'This route needs an admin API key.');
    });
    /** Revocation must take effect at once in this process. */
    app.decorate('forgetApiKeys', () => cache.clear());
  },
  { name: 'auth' },
);

declare module 'fastify' {
  interface FastifyInstance {
    forgetApiKeys(): void;
  }
}

// Bull Board at /admin/queues, for admin API keys only. Browsers sign in once on
// /admin/queues/login (the key goes into an HttpOnly, SameSite=Strict cookie scoped to this path);
// scripts and proxies may send the key as "Authorization: Bearer <key>" instead. The global key
// check is skipped for these routes (it knows no cookies); this context does its own, admits admin
// keys only, and then behaves like any authenticated request (request.auth, per-key rate limit).
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { HTTPStatus } from '@bull-board/api/dist/types.js';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { AppError, problemType } from '../../errors.js';
import { addToLogContext } from '../../logger.js';
import { parseApiKey, secretMatches } from '../../tenants/api-keys.js';
import { findApiKeyByPrefix } from '../../tenants/tenant-store.js';
import type { AuthContext } from './auth.js';
import { sendProblem } from './problem-details.js';

export interface QueueDashboardOptions {
  db: Db;
  /** The queues to show, asked for on first use so building the app opens no Redis connection. */
  queues: () => Queue[];
  basePath?: string;
}

const cookieName = 'aepj_queues_key';
const sessionSeconds = 8 * 3600;

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return cookieValue(request, cookieName);
}

/** The key's holder, as the global auth plugin would find it (a rotated key works until its revocation instant). */
async function keyAuth(db: Db, key: string | undefined): Promise<AuthContext | null> {
  const parsed = key ? parseApiKey(key) : null;
  if (!parsed) return null;
  const row = await findApiKeyByPrefix(db, parsed.prefix);
  if (!row || (row.revokedAt && row.revokedAt.getTime() <= Date.now())) return null;
  if (!secretMatches(parsed.secret, row.secretHash)) return null;
  return { tenantId: row.tenantId, apiKeyId: row.id, role: row.role === 'admin' ? 'admin' : 'tenant' };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(basePath: string, message?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Queues: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.4rem;width:100%;box-sizing:border-box;margin:.3rem 0}.error{color:#b00020}</style>
</head><body>
<h1>Job queues</h1>
<p>Sign in with an <strong>admin</strong> API key.</p>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${escapeHtml(basePath)}/login">
<label for="key">API key</label>
<input id="key" name="key" type="password" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>
</body></html>`;
}

export default async function queueDashboard(app: FastifyInstance, opts: QueueDashboardOptions): Promise<void> {
  const basePath = opts.basePath ?? '/admin/queues';
  const loginPath = `${basePath}/login`;
  const secure = (request: FastifyRequest) => (request.protocol === 'https' ? '; Secure' : '');

  // This context authenticates by itself (below), so the global key check must let its routes through.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'AEP jobs' } } });
  // Errors inside Bull Board's routes (a rate limit, a Redis hiccup) keep their status and never
  // echo internal messages for a 5xx.
  serverAdapter.setErrorHandler((error: Error & { statusCode?: number }) => {
    if (error instanceof AppError) {
      // Bull Board's typings list only the statuses it sends itself; Fastify sends any.
      const status = error.status as HTTPStatus;
      return { status, body: { type: problemType(error.code), title: error.title, status: error.status, detail: error.detail, code: error.code } };
    }
    const status = (error.statusCode && error.statusCode < 500 ? error.statusCode : 500) as HTTPStatus;
    return { status, body: { status, detail: status < 500 ? error.message : 'The queue dashboard failed; see the API logs.' } };
  });
  let queuesAttached = false;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.url === loginPath || request.routeOptions.url === `${basePath}/logout`) return;
    const auth = await keyAuth(opts.db, presentedKey(request));
    if (auth?.role !== 'admin') {
      // A browser on a page gets the sign-in form; API calls get the usual problem.
      if (request.method === 'GET' && (request.headers.accept ?? '').includes('text/html')) return reply.redirect(loginPath, 303);
      // Sent here: Bull Board's routes have their own error handler, which knows no problem+json.
      const problem = auth
        ? new AppError('forbidden', 'The queue dashboard needs an admin API key; this key has the tenant role.')
        : new AppError('unauthorized', 'The queue dashboard needs an admin API key (sign in, or send "Authorization: Bearer <key>").', {
            headers: { 'www-authenticate': 'Bearer' },
          });
      return sendProblem(request, reply, problem);
    }
    request.auth = auth;
    addToLogContext({ tenantId: auth.tenantId });
    if (!queuesAttached) {
      queuesAttached = true;
      for (const queue of opts.queues()) board.addQueue(new BullMQAdapter(queue));
    }
  });

  app.get(loginPath, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(loginPage(basePath)));

  app.post(loginPath, { schema: { hide: true } }, async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const key = typeof body?.key === 'string' ? body.key.trim() : undefined;
    if ((await keyAuth(opts.db, key))?.role !== 'admin') {
      return reply.status(401).type('text/html; charset=utf-8').send(loginPage(basePath, 'That is not a valid admin API key.'));
    }
    void reply.header(
      'set-cookie',
      `${cookieName}=${encodeURIComponent(key ?? '')}; Path=${basePath}; HttpOnly; SameSite=Strict; Max-Age=${sessionSeconds}${secure(request)}`,
    );
    return reply.redirect(basePath, 303);
  });

  app.post(`${basePath}/logout`, { schema: { hide: true } }, async (request, reply) => {
    void reply.header('set-cookie', `${cookieName}=; Path=${basePath}; HttpOnly; SameSite=Strict; Max-Age=0${secure(request)}`);
    return reply.redirect(loginPath, 303);
  });

  await app.register(serverAdapter.registerPlugin(), { prefix: basePath });
}

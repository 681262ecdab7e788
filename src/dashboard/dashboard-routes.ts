// Serves the web dashboard (plain HTML, CSS and ES modules from ./public, no build step) under
// /dashboard. The files are public; the page asks for an API key and calls the API with it, so
// the dashboard sees exactly what that key may see. A strict CSP allows only same-origin scripts,
// styles and requests.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';

const assets = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'pipeline-page.js': 'text/javascript; charset=utf-8',
  'schedules-page.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

type AssetName = keyof typeof assets;

const securityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Where the files live next to this module (src/dashboard/public, or dist/dashboard/public after `npm run build`). */
export const dashboardAssetDir = new URL('./public/', import.meta.url);

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const contents = new Map<AssetName, Buffer>();
  for (const name of Object.keys(assets) as AssetName[]) contents.set(name, await readFile(new URL(name, dashboardAssetDir)));

  const serve = (name: AssetName) => ({
    config: { public: true },
    schema: { hide: true },
    handler: async (_request: unknown, reply: FastifyReply) => reply.headers(securityHeaders).type(assets[name]).send(contents.get(name)),
  });

  app.get('/dashboard', serve('index.html'));
  app.get('/dashboard/', serve('index.html'));
  for (const name of Object.keys(assets) as AssetName[]) app.get(`/dashboard/${name}`, serve(name));
}

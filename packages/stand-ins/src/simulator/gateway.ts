// The checks Adobe's API gateway makes before any Platform service sees a call: bearer token,
// API key, org, sandbox and, for bodies, the JSON content type. Sets request.tenancy.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext, Tenancy } from './context.js';
import { contentTypeError, flowError, gatewayError, sendError } from './errors.js';
import type { PgTokenStore } from './store/token-store.js';

/** Content types the simulator parses as JSON (application/json and vendor `+json` types). */
export const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json(-patch\+json)?\s*(;|$)/i;

// Flow actions carry no body and aepp deletes their Content-Type.
const BODYLESS_POSTS = [/\/flows\/[^/]+\/action$/];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes a non-JSON body (batch file uploads) or none (batch actions): no JSON content-type check. */
    nonJsonBody?: boolean;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function needsJsonBody(request: FastifyRequest): boolean {
  if (!['POST', 'PUT', 'PATCH'].includes(request.method)) return false;
  if (request.routeOptions.config.nonJsonBody === true) return false;
  const path = request.url.split('?', 1)[0] ?? '';
  return !BODYLESS_POSTS.some((pattern) => pattern.test(path));
}

export function registerGateway(app: FastifyInstance, ctx: SimulatorContext, tokens: PgTokenStore): void {
  // Declared non-null in context.ts because every gateway-scoped handler runs after this hook.
  app.decorateRequest('tenancy', null as unknown as Tenancy);
  app.decorateRequest('imsClientId', '');
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const authorization = header(request, 'authorization');
    const bearer = authorization === undefined ? undefined : /^bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (bearer === undefined) return sendError(reply, 403, gatewayError('403010', 'Oauth token is missing'));
    const apiKey = header(request, 'x-api-key');
    if (apiKey === undefined) return sendError(reply, 403, gatewayError('403000', 'Api Key is required'));
    const grant = await tokens.find(bearer);
    if (grant === null || grant.expiresAtMs <= ctx.now()) return sendError(reply, 401, gatewayError('401013', 'Oauth token is not valid'));
    if (apiKey !== grant.clientId) return sendError(reply, 403, gatewayError('403003', 'Api Key is invalid'));
    const orgId = header(request, 'x-gw-ims-org-id');
    if (orgId === undefined) return sendError(reply, 400, gatewayError('400003', 'Missing header'));
    if (orgId !== grant.orgId) return sendError(reply, 403, gatewayError('403025', 'Profile is not valid'));
    const sandbox = header(request, 'x-sandbox-name');
    if (sandbox === undefined) {
      return sendError(
        reply,
        400,
        flowError({ code: '1004', status: 400, title: 'Bad Request', message: 'Missing required header x-sandbox-name', requestId: request.id }),
      );
    }
    if (needsJsonBody(request) && !JSON_CONTENT_TYPE.test(header(request, 'content-type') ?? '')) {
      return sendError(reply, 400, contentTypeError());
    }
    request.tenancy = { orgId, sandbox };
    request.imsClientId = grant.clientId;
  });
}

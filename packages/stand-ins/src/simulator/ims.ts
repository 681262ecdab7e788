// Adobe IMS token endpoint (OAuth Server-to-Server): POST /ims/token/v3 with a client_credentials
// form (parameters may also come in the query string). Errors in IMS's own OAuth shape.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from './context.js';
import type { PgTokenStore } from './store/token-store.js';

export interface ImsErrorBody {
  error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';
  error_description: string;
}

export interface ImsTokenBody {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

function field(source: unknown, key: string): string | undefined {
  if (typeof source !== 'object' || source === null || !(key in source)) return undefined;
  const value = (source as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

export function registerIms(app: FastifyInstance, ctx: SimulatorContext, tokens: PgTokenStore): void {
  app.post('/ims/token/v3', async (request, reply) => {
    // Body wins over the query string, as a form post would.
    const read = (key: string) => field(request.body, key) ?? field(request.query, key);
    const fail = (status: number, body: ImsErrorBody) => reply.code(status).send(body);

    const clientId = read('client_id');
    const clientSecret = read('client_secret');
    const grantType = read('grant_type');
    if (clientId === undefined || clientId === '') return fail(400, { error: 'invalid_request', error_description: 'missing client_id parameter' });
    if (grantType === undefined || grantType === '') return fail(400, { error: 'invalid_request', error_description: 'missing grant_type parameter' });
    if (grantType !== 'client_credentials') return fail(400, { error: 'unsupported_grant_type', error_description: `unsupported grant_type ${grantType}` });
    const client = ctx.config.clients.find((c) => c.clientId === clientId);
    if (client === undefined) return fail(401, { error: 'invalid_client', error_description: 'invalid client_id parameter' });
    if (clientSecret === undefined || clientSecret === '') return fail(400, { error: 'invalid_request', error_description: 'missing client_secret parameter' });
    if (clientSecret !== client.clientSecret) return fail(401, { error: 'invalid_client', error_description: 'invalid client_secret parameter' });

    const expiresIn = ctx.config.tokenTtlSeconds;
    const accessToken = await tokens.issue({ clientId, orgId: client.orgId, expiresAtMs: ctx.now() + expiresIn * 1000 });
    const body: ImsTokenBody = { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn };
    return reply.code(200).send(body);
  });
}

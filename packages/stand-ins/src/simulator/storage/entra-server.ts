// A stand-in for Microsoft Entra ID's token service, for the service principals the simulator's
// ADLS Gen2 emulator knows: the same HTTPS paths MSAL (and so @azure/identity's
// ClientSecretCredential with `authorityHost` set to it) uses against https://login.microsoftonline.com:
//   GET  /<tenant>/v2.0/.well-known/openid-configuration   OIDC discovery (issuer on this host)
//   GET  /<tenant>/discovery/v2.0/keys                     the signing key (JWKS)
//   POST /<tenant>/oauth2/v2.0/token                       client credentials grant, `<resource>/.default` scope
// Access tokens are RS256 JWTs with the claims Entra puts in a storage token (v1 format: `iss`
// https://sts.windows.net/<tid>/, `aud` the resource, `tid`, `oid`, `appid`): what Azurite's
// `--oauth basic` checks (issuer, audience, lifetime; it does not check the signature, so the key
// here matters only to clients that verify). Errors use Entra's JSON shape and AADSTS codes.
import { createHash, generateKeyPair, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EntraPrincipal {
  /** Directory (tenant) id, or a domain name of the tenant. */
  tenant: string;
  /** Application (client) id. */
  clientId: string;
  clientSecret: string;
}

export interface EntraServer {
  /** `https://host:port`: the `authorityHost` clients are given. */
  authorityHost: string;
  close(): Promise<void>;
}

/** Access token lifetime: Entra's default for client credentials is 60-90 minutes. */
const TOKEN_TTL_SECONDS = 3599;
const MAX_BODY_BYTES = 64 * 1024;

// Resources this directory issues tokens for: Azure Storage (its app id URI or an account's endpoint).
const STORAGE_RESOURCES = [/^https:\/\/storage\.azure\.com\/?$/, /^https:\/\/[a-z0-9]{3,24}\.(blob|dfs)\.core\.windows\.net\/?$/];

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** A stable object id per principal, as Entra gives each service principal one. */
function objectIdOf(principal: EntraPrincipal): string {
  const hex = createHash('sha256').update(`${principal.tenant}\n${principal.clientId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function entraError(response: ServerResponse, status: number, error: string, code: number, description: string): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  sendJson(response, status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: traceId,
    correlation_id: correlationId,
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startEntraServer(options: { host: string; port: number; cert: string; key: string; principals: readonly EntraPrincipal[] }): Promise<EntraServer> {
  // The signing key is made on first use, off the event loop: most simulators never issue a token.
  let signing: Promise<{ privateKey: KeyObject; keyId: string; jwk: object }> | undefined;
  const signingKey = () =>
    (signing ??= new Promise((resolve, reject) => {
      generateKeyPair('rsa', { modulusLength: 2048 }, (error, publicKey, privateKey) => {
        if (error) return reject(error);
        const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 27);
        resolve({ privateKey, keyId, jwk: { ...publicKey.export({ format: 'jwk' }), kid: keyId, use: 'sig', alg: 'RS256' } });
      });
    }));
  let authorityHost = '';

  const tenantKnown = (tenant: string) => options.principals.some((p) => p.tenant.toLowerCase() === tenant.toLowerCase());

  async function accessToken(principal: EntraPrincipal, resource: string): Promise<string> {
    const { privateKey, keyId } = await signingKey();
    const now = Math.floor(Date.now() / 1000);
    const issuer = `https://sts.windows.net/${principal.tenant}/`;
    const header = { typ: 'JWT', alg: 'RS256', kid: keyId };
    const claims = {
      aud: resource.replace(/\/$/, ''),
      iss: issuer,
      iat: now,
      nbf: now - 300,
      exp: now + TOKEN_TTL_SECONDS,
      appid: principal.clientId,
      appidacr: '1',
      idp: issuer,
      oid: objectIdOf(principal),
      sub: objectIdOf(principal),
      tid: principal.tenant,
      uti: randomUUID().replace(/-/g, ''),
      ver: '1.0',
    };
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${unsigned}.${base64url(sign('sha256', Buffer.from(unsigned), privateKey))}`;
  }

  async function token(tenant: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await formOf(request);
    if (form === null) return entraError(response, 400, 'invalid_request', 90002, 'Request body too large.');
    if (form.get('grant_type') !== 'client_credentials') {
      return entraError(response, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.get('grant_type') ?? ''}'.`);
    }
    const clientId = form.get('client_id') ?? '';
    const principal = options.principals.find((p) => p.tenant.toLowerCase() === tenant.toLowerCase() && p.clientId === clientId);
    if (principal === undefined) {
      return entraError(response, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    if (form.get('client_secret') !== principal.clientSecret) {
      return entraError(response, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const scope = form.get('scope') ?? '';
    const resource = scope.split(' ').find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length);
    if (resource === undefined) {
      return entraError(response, 400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    if (!STORAGE_RESOURCES.some((pattern) => pattern.test(resource))) {
      return entraError(response, 400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}.`);
    }
    sendJson(response, 200, { token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, ext_expires_in: TOKEN_TTL_SECONDS, access_token: await accessToken(principal, resource) });
  }

  function openIdConfiguration(tenant: string) {
    const root = `${authorityHost}/${tenant}`;
    return {
      token_endpoint: `${root}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${root}/v2.0`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'https://entra.invalid');
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(url.pathname);
    if (match === null) return sendJson(response, 404, { error: 'not_found' });
    const tenant = decodeURIComponent(match[1] ?? '');
    if (!tenantKnown(tenant)) {
      return entraError(response, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const path = match[2];
    if (path === 'oauth2/v2.0/token') {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'method_not_allowed' });
      return token(tenant, request, response);
    }
    if (request.method !== 'GET') return sendJson(response, 405, { error: 'method_not_allowed' });
    return sendJson(response, 200, path === 'discovery/v2.0/keys' ? { keys: [(await signingKey()).jwk] } : openIdConfiguration(tenant));
  }

  const server: Server = createServer({ cert: options.cert, key: options.key }, (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error' });
      else response.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => done());
  });
  const address = server.address() as AddressInfo;
  authorityHost = `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}`;
  return {
    authorityHost,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

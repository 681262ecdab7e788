// Query Service's PostgreSQL interface, simulated: a Postgres wire-protocol server (pg-gateway)
// in front of the simulator's query engine, reached with what GET /connection_parameters hands out
// (query-service.yaml `connection_parameters`: host, port, username = the org id, token = the IMS
// token, dbName = "{sandbox}:all"). As on Adobe's hosts, TLS is required (Adobe's client guides
// connect with sslmode=require) and the password is the bearer token, checked like the API gateway
// checks it. Simple-query protocol only (what `pg` uses for a query without parameters); answers
// are text format; errors carry SQLSTATE and position (engine-voice.ts).
import { createServer, type Server, type Socket } from 'node:net';
import { fromNodeSocket } from 'pg-gateway/node';
import type { ConnectionState } from 'pg-gateway';
import type { SimulatorContext, Tenancy } from '../context.js';
import { createSelfSignedCertificate } from '../storage/self-signed-certificate.js';
import type { PgTokenStore } from '../store/token-store.js';
import { runInteractive } from './interactive-query.js';
import { commandComplete, dataRow, emptyQueryResponse, errorResponse, readyForQuery, rowDescription } from './pg-wire.js';

/** The PostgreSQL version Query Service reports to clients (its server_version parameter). */
const SERVER_VERSION = '9.6.0';
const QUERY_MESSAGE = 'Q'.charCodeAt(0);

export interface QueryInterface {
  /** The host name and port clients are told to use (GET /connection_parameters). */
  port: number;
  close(): Promise<void>;
}

/** `{sandbox}:all` or `{sandbox}:{table}` (aepp's InteractiveQuery sets the latter): the sandbox part. */
export function sandboxOfDbName(dbName: string | undefined): string | null {
  const sandbox = (dbName ?? '').split(':', 1)[0]?.trim() ?? '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(sandbox) ? sandbox : null;
}

function tenancyOf(state: ConnectionState): Tenancy | null {
  const sandbox = sandboxOfDbName(state.clientParams?.database);
  const orgId = state.clientParams?.user;
  return sandbox === null || orgId === undefined ? null : { orgId, sandbox };
}

const arrayBufferOf = (pem: string): ArrayBuffer => new TextEncoder().encode(pem).buffer;

function queryText(data: Uint8Array): string {
  // 'Q', int32 length, then the query as a NUL-terminated string.
  const body = Buffer.from(data.buffer, data.byteOffset + 5, data.byteLength - 5);
  const end = body.indexOf(0);
  return body.toString('utf8', 0, end < 0 ? body.length : end);
}

async function answer(ctx: SimulatorContext, tenancy: Tenancy, sql: string): Promise<Buffer[]> {
  if (sql.trim().replace(/;+\s*$/, '') === '') return [emptyQueryResponse(), readyForQuery()];
  const outcome = await runInteractive(ctx, tenancy, sql);
  switch (outcome.kind) {
    case 'set':
      return [commandComplete('SET'), readyForQuery()];
    case 'error':
      return [errorResponse(outcome.error), readyForQuery()];
    case 'rows': {
      const { fields, rows } = outcome.result;
      return [rowDescription(fields), ...rows.map((row) => dataRow(fields, row)), commandComplete(`SELECT ${rows.length}`), readyForQuery()];
    }
  }
}

export async function startQueryInterface(ctx: SimulatorContext, tokens: PgTokenStore, listen: { host: string; port: number }): Promise<QueryInterface> {
  const certificate = createSelfSignedCertificate(listen.host);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    void fromNodeSocket(socket, {
      serverVersion: SERVER_VERSION,
      tls: { key: arrayBufferOf(certificate.key), cert: arrayBufferOf(certificate.cert) },
      auth: {
        method: 'password',
        // Never compared: validateCredentials decides with the token store.
        getClearTextPassword: () => '',
        async validateCredentials({ username, password }, state) {
          const grant = await tokens.find(password);
          return grant !== null && grant.expiresAtMs > ctx.now() && grant.orgId === username && tenancyOf(state) !== null;
        },
      },
      async onMessage(data, state) {
        if (!state.isAuthenticated || data[0] !== QUERY_MESSAGE) return undefined;
        const tenancy = tenancyOf(state);
        if (tenancy === null) return [errorResponse({ code: '3D000', message: 'database must be "{sandbox}:all"' }), readyForQuery()];
        return answer(ctx, tenancy, queryText(data));
      },
    }).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  return {
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

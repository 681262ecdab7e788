// GET /data/foundation/query/connection_parameters (query-service.yaml `listConnectionParameters`):
// what a PostgreSQL client needs to reach the interactive interface (pg-interface.ts). The
// username is the org id and the token is the caller's own IMS token, "as it was received in the
// request"; dbName is "{sandbox}:all". The host is the one the caller reached the simulator by
// (or SIMULATOR_QUERY_HOST), so the same name works from a laptop and inside compose.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { QUERY_BASE } from './query-view.js';

const interfacePorts = new WeakMap<SimulatorContext, number>();

/** Called once the PostgreSQL interface listens; until then the route answers 503. */
export function setQueryInterfacePort(ctx: SimulatorContext, port: number | null): void {
  if (port === null) interfacePorts.delete(ctx);
  else interfacePorts.set(ctx, port);
}

export function registerConnectionRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  app.get(`${QUERY_BASE}/connection_parameters`, async (request, reply) => {
    const port = interfacePorts.get(ctx);
    if (port === undefined) return sendError(reply, 503, messageError('The interactive interface is not running.'));
    const token = /^bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    return {
      version: 1,
      host: ctx.config.queryHost ?? request.hostname.replace(/:\d+$/, ''),
      port,
      username: request.tenancy.orgId,
      token,
      compressedToken: token,
      dbName: `${request.tenancy.sandbox}:all`,
    };
  });
}

// Base connections (`/connections`): authenticated links to a destination. At most 100 per
// sandbox, as the Platform's guardrail says.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { flowError } from '../errors.js';
import { callerOf, deleteOne, FLOW_SERVICE_BASE, getOne, listAll, patchOne, sendRejection, type IdParams } from './crud.js';
import { newEntityMeta } from './entity-meta.js';
import type { ConnectionBody } from './entities.js';
import { publicBody } from '../public-body.js';
import { DESTINATIONS } from './destinations.js';
import { accept, refuse } from './rejection.js';
import { destinationByConnectionSpec } from './spec-ids.js';
import { checkAuth, checkConnectionCreate } from './validation.js';

export const MAX_DESTINATION_CONNECTIONS_PER_SANDBOX = 100;

const PATCHABLE = new Set(['name', 'description', 'auth']);

export function connectionLimitReached(sandbox: string) {
  return flowError({
    code: '2250',
    status: 400,
    message: `Maximum number of destinations (${MAX_DESTINATION_CONNECTIONS_PER_SANDBOX}) reached for sandbox ${sandbox}; delete unused destination connections`,
  });
}

/**
 * A base connection as GET shows it: "a partial view of the credentials" (flow-service.yaml, the
 * Base connections tag). Params the auth spec marks secret (`format: password`: S3 secret key,
 * Azure connection string, SFTP password or key, service principal key, GCS secret) are left out.
 */
export function partialConnectionView(stored: object): unknown {
  const body = publicBody(stored) as ConnectionBody;
  const destination = destinationByConnectionSpec(body.connectionSpec.id);
  if (destination === undefined || body.auth === null) return body;
  const spec = DESTINATIONS[destination].authSpecs.find((a) => a.name === body.auth?.specName);
  const secret = new Set(spec?.fields.filter((f) => f.secret === true).map((f) => f.name) ?? []);
  const params = Object.fromEntries(Object.entries(body.auth.params).filter(([name]) => !secret.has(name)));
  return { ...body, auth: { ...body.auth, params } };
}

export function registerConnectionRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const base = `${FLOW_SERVICE_BASE}/connections`;

  app.post(base, async (request, reply) => {
    const checked = checkConnectionCreate(request.body);
    if (!checked.ok) return sendRejection(reply, checked.rejection);
    const input = checked.value;
    const caller = callerOf(request);
    // Every base connection the simulator accepts is a destination connection, so the limit
    // counts all of them.
    const created = await ctx.entities.createWithLimit<ConnectionBody>(
      request.tenancy,
      'connection',
      { filters: [], max: MAX_DESTINATION_CONNECTIONS_PER_SANDBOX },
      (id, etag) => ({
        id,
        ...newEntityMeta(caller, ctx.now()),
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        connectionSpec: input.connectionSpec,
        state: 'enabled',
        auth: input.auth,
        version: etag,
        etag,
      }),
    );
    if (created === null) return reply.code(400).send(connectionLimitReached(request.tenancy.sandbox));
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });

  app.get(base, async (request, reply) => listAll(ctx, request, reply, 'connection', base, partialConnectionView));
  app.get<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => getOne(ctx, request, reply, 'connection', partialConnectionView));
  app.delete<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => deleteOne(ctx, request, reply, 'connection'));
  app.patch<{ Params: IdParams }>(`${base}/:id`, async (request, reply) =>
    patchOne<ConnectionBody>(ctx, request, reply, 'connection', PATCHABLE, (current, patched) => {
      const destination = destinationByConnectionSpec(current.connectionSpec.id);
      if (destination === undefined) return accept(patched);
      const auth = checkAuth(destination, patched.auth);
      if (!auth.ok) return refuse(auth.rejection);
      return accept({ ...patched, auth: auth.value });
    }),
  );
}

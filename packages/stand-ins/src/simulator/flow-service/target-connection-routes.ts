// Target connections (`/targetConnections`): where and in which format a destination receives
// exports. The base connection must exist in the same sandbox and use the same connection spec.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { callerOf, deleteOne, FLOW_SERVICE_BASE, getOne, listAll, patchOne, sendRejection, type IdParams } from './crud.js';
import { newEntityMeta } from './entity-meta.js';
import type { ConnectionBody, TargetConnectionBody } from './entities.js';
import { accept, badRequest, refuse } from './rejection.js';
import { destinationByConnectionSpec } from './spec-ids.js';
import { checkTargetConnectionCreate, checkTargetParams } from './validation.js';

const PATCHABLE = new Set(['name', 'description', 'params']);

export function registerTargetConnectionRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const base = `${FLOW_SERVICE_BASE}/targetConnections`;

  app.post(base, async (request, reply) => {
    const checked = checkTargetConnectionCreate(request.body);
    if (!checked.ok) return sendRejection(reply, checked.rejection);
    const input = checked.value;
    const baseConnection = await ctx.entities.get<ConnectionBody>(request.tenancy, 'connection', input.baseConnectionId);
    if (baseConnection === null) {
      return sendRejection(reply, badRequest('1035', `Base connection with id = [${input.baseConnectionId}] not found`));
    }
    if (baseConnection.body.connectionSpec.id !== input.connectionSpec.id) {
      return sendRejection(
        reply,
        badRequest('1036', `Base connection ${input.baseConnectionId} uses connection spec ${baseConnection.body.connectionSpec.id}, not ${input.connectionSpec.id}`),
      );
    }
    const caller = callerOf(request);
    const created = await ctx.entities.create<TargetConnectionBody>(request.tenancy, 'targetConnection', (id, etag) => ({
      id,
      ...newEntityMeta(caller, ctx.now()),
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      baseConnectionId: input.baseConnectionId,
      connectionSpec: input.connectionSpec,
      state: 'enabled',
      params: input.params,
      version: etag,
      etag,
      inheritedAttributes: { baseConnection: { id: baseConnection.id, connectionSpec: baseConnection.body.connectionSpec } },
    }));
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });

  app.get(base, async (request, reply) => listAll(ctx, request, reply, 'targetConnection', base));
  app.get<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => getOne(ctx, request, reply, 'targetConnection'));
  app.delete<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => deleteOne(ctx, request, reply, 'targetConnection'));
  app.patch<{ Params: IdParams }>(`${base}/:id`, async (request, reply) =>
    patchOne<TargetConnectionBody>(ctx, request, reply, 'targetConnection', PATCHABLE, (current, patched) => {
      const destination = destinationByConnectionSpec(current.connectionSpec.id);
      if (destination === undefined) return accept(patched);
      const params = checkTargetParams(destination, patched.params);
      if (!params.ok) return refuse(params.rejection);
      return accept({ ...patched, params: params.value });
    }),
  );
}

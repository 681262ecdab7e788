// Source connections (`/sourceConnections`): which data-lake datasets a flow exports. Their
// dataset list cannot be changed; create a new source connection and PATCH the flow instead.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { callerOf, deleteOne, FLOW_SERVICE_BASE, getOne, listAll, patchOne, sendRejection, type IdParams } from './crud.js';
import { newEntityMeta } from './entity-meta.js';
import type { SourceConnectionBody } from './entities.js';
import { topField } from './json-patch.js';
import { accept, badRequest, refuse } from './rejection.js';
import { checkSourceConnectionCreate } from './validation.js';

const PATCHABLE = new Set(['name', 'description', 'params']);

export function registerSourceConnectionRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const base = `${FLOW_SERVICE_BASE}/sourceConnections`;

  app.post(base, async (request, reply) => {
    const checked = checkSourceConnectionCreate(request.body);
    if (!checked.ok) return sendRejection(reply, checked.rejection);
    const input = checked.value;
    const caller = callerOf(request);
    const created = await ctx.entities.create<SourceConnectionBody>(request.tenancy, 'sourceConnection', (id, etag) => ({
      id,
      ...newEntityMeta(caller, ctx.now()),
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      connectionSpec: input.connectionSpec,
      state: 'enabled',
      params: { ...input.params, datasets: input.datasets },
      ...(input.data === undefined ? {} : { data: input.data }),
      version: etag,
      etag,
    }));
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });

  app.get(base, async (request, reply) => listAll(ctx, request, reply, 'sourceConnection', base));
  app.get<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => getOne(ctx, request, reply, 'sourceConnection'));
  app.delete<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => deleteOne(ctx, request, reply, 'sourceConnection'));
  app.patch<{ Params: IdParams }>(`${base}/:id`, async (request, reply) =>
    patchOne<SourceConnectionBody>(ctx, request, reply, 'sourceConnection', PATCHABLE, (current, patched, ops) => {
      const touchesDatasets = ops.some((op) => topField(op.path) === 'params') && JSON.stringify(patched.params.datasets) !== JSON.stringify(current.params.datasets);
      if (touchesDatasets) {
        return refuse(badRequest('1022', 'The dataset list of a source connection cannot be modified; create a new source connection and update the flow'));
      }
      return accept(patched);
    }),
  );
}

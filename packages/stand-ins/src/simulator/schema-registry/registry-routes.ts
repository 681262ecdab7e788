// Schema Registry routes under /data/foundation/schemaregistry (the subset in
// docs/simulator.md): GET /stats, tenant field groups and schemas (list, GET, POST; PATCH of a
// schema's meta:immutableTags) and descriptors. Resources are addressed by meta:altId or URL-encoded $id.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { listRegistryResources, type RegistryListQuery } from './registry-list.js';
import { registryStoreFor } from './registry-store.js';
import { resolvedSchema, wantsFullSchema } from './resolved-schema.js';
import { RegistryRejection, registryServiceFor, type RegistryCaller } from './registry-service.js';
import { REGISTRY_BASE, TENANT_ID } from './xdm-constants.js';

const paramsSchema = z.object({ id: z.string().min(1) });

/** The registry's error shape: {type, title, status, detail}. */
function sendRejection(reply: FastifyReply, rejection: RegistryRejection): FastifyReply {
  return reply
    .code(rejection.status)
    .type('application/json')
    .send({ type: `http://ns.adobe.com/aep/errors/${rejection.code}`, title: rejection.status === 404 ? 'Not Found' : 'Bad Request', status: rejection.status, detail: rejection.message });
}

export function registerRegistryRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const service = registryServiceFor(ctx);
  const store = registryStoreFor(ctx);
  const caller = (request: FastifyRequest): RegistryCaller => ({ clientId: request.imsClientId, nowMs: ctx.now() });
  const handle = async (reply: FastifyReply, status: number, work: () => Promise<unknown>): Promise<FastifyReply> => {
    try {
      return await reply.code(status).send(await work());
    } catch (error) {
      if (error instanceof RegistryRejection) return sendRejection(reply, error);
      throw error;
    }
  };
  const id = (request: FastifyRequest): string => decodeURIComponent(paramsSchema.parse(request.params).id);

  app.get(`${REGISTRY_BASE}/stats`, async (request) => {
    const counts = await store.countByKind(request.tenancy);
    return {
      imsOrg: request.tenancy.orgId,
      tenantId: TENANT_ID,
      counts: { schemas: counts.schemas, mixins: counts.fieldgroups, datatypes: 0, classes: 0, unions: 0 },
      recentlyCreatedResources: [],
      recentlyUpdatedResources: [],
      classUsage: [],
    };
  });

  const listQuery = z.object({ orderby: z.string().optional(), start: z.string().optional(), limit: z.string().optional(), property: z.string().optional() });
  for (const kind of ['fieldgroups', 'schemas'] as const) {
    app.get(`${REGISTRY_BASE}/tenant/${kind}`, (request, reply) =>
      handle(reply, 200, () => {
        const query = listQuery.safeParse(request.query);
        if (!query.success) throw new RegistryRejection(400, 'XDM-1000-400', z.prettifyError(query.error));
        const acceptHeader: unknown = request.headers.accept;
        const listQueryInput: RegistryListQuery = { accept: typeof acceptHeader === 'string' ? acceptHeader : undefined, ...query.data };
        return listRegistryResources(store, request.tenancy, kind, listQueryInput, `${request.protocol}://${request.host}`);
      }),
    );
  }

  app.post(`${REGISTRY_BASE}/tenant/fieldgroups`, (request, reply) => handle(reply, 201, () => service.createFieldGroup(request.tenancy, request.body, caller(request))));
  app.get(`${REGISTRY_BASE}/tenant/fieldgroups/:id`, (request, reply) =>
    handle(reply, 200, async () => (await service.requireResource(request.tenancy, id(request), 'fieldgroups')).body),
  );
  app.post(`${REGISTRY_BASE}/tenant/schemas`, (request, reply) => handle(reply, 201, () => service.createSchema(request.tenancy, request.body, caller(request))));
  app.get(`${REGISTRY_BASE}/tenant/schemas/:id`, (request, reply) =>
    handle(reply, 200, async () =>
      wantsFullSchema(request.headers.accept) ? resolvedSchema(ctx, request.tenancy, id(request)) : (await service.requireResource(request.tenancy, id(request), 'schemas')).body,
    ),
  );
  app.patch(`${REGISTRY_BASE}/tenant/schemas/:id`, (request, reply) => handle(reply, 200, () => service.patchSchema(request.tenancy, id(request), request.body, caller(request))));
  app.post(`${REGISTRY_BASE}/tenant/descriptors`, (request, reply) => handle(reply, 201, () => service.createDescriptor(request.tenancy, request.body, caller(request))));
  app.get(`${REGISTRY_BASE}/tenant/descriptors/:id`, (request, reply) =>
    handle(reply, 200, async () => {
      const descriptor = await store.getDescriptor(request.tenancy, id(request));
      if (descriptor === null) throw new RegistryRejection(404, 'XDM-1040-404', `Descriptor ${id(request)} not found`);
      return descriptor;
    }),
  );
}

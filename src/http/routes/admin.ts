// /admin/*: tenants and API keys (admin keys only), and /tenant: the caller's own tenant.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateApiKeyBodySchema,
  CreatedTenantSchema,
  CreateTenantBodySchema,
  IdParamsSchema,
  IssuedApiKeySchema,
  RotateApiKeyBodySchema,
  RotatedApiKeySchema,
  TenantPageSchema,
  TenantSchema,
  UpdateTenantBodySchema,
} from '../../admin/admin-schemas.js';
import type { TenantAdminService } from '../../admin/tenant-admin-service.js';
import { CursorQuerySchema, LimitQuerySchema } from '../../pagination.js';
import { problemResponses } from './problem-schema.js';

export const adminRoutes: FastifyPluginCallbackZod<{ admin: TenantAdminService }> = (app, { admin }, done) => {
  const tags = ['admin'];
  const config = { adminOnly: true };
  const createConfig = { adminOnly: true, idempotent: true };

  app.post(
    '/admin/tenants',
    {
      config: createConfig,
      schema: {
        tags,
        summary: 'Create a tenant and its first API key',
        description: 'The Platform client secret is sealed and never returned. The key in the answer is shown once.',
        body: CreateTenantBodySchema,
        response: { 201: CreatedTenantSchema, ...problemResponses(400, 403, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await admin.createTenant(request.body)),
  );

  app.get(
    '/admin/tenants',
    {
      config,
      schema: {
        tags,
        summary: 'List tenants, newest first',
        querystring: z.object({ limit: LimitQuerySchema, cursor: CursorQuerySchema.optional() }).strict(),
        response: { 200: TenantPageSchema, ...problemResponses(400, 403) },
      },
    },
    async (request) => admin.list(request.query),
  );

  app.get(
    '/admin/tenants/:id',
    {
      config,
      schema: { tags, summary: 'Get a tenant', params: IdParamsSchema, response: { 200: TenantSchema, ...problemResponses(400, 403, 404) } },
    },
    async (request) => admin.get(request.params.id),
  );

  app.patch(
    '/admin/tenants/:id',
    {
      config,
      schema: {
        tags,
        summary: "Change a tenant's OAuth credential or whether it may export PSPD and RHD datasets",
        description:
          "Only the fields given change. The org, sandbox and target stay: the tenant's Platform connections and flows live in that sandbox. A new client secret is sealed and never returned; the next Platform call uses the new credential.",
        params: IdParamsSchema,
        body: UpdateTenantBodySchema,
        response: { 200: TenantSchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request) => admin.update(request.params.id, request.body),
  );

  app.post(
    '/admin/tenants/:id/api-keys',
    {
      config: createConfig,
      schema: {
        tags,
        summary: 'Issue another API key for a tenant',
        params: IdParamsSchema,
        body: CreateApiKeyBodySchema,
        response: { 201: IssuedApiKeySchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await admin.issueKey(request.params.id, request.body)),
  );

  app.post(
    '/admin/api-keys/:id/rotate',
    {
      config: createConfig,
      schema: {
        tags,
        summary: 'Rotate an API key',
        description:
          'Issues a new key for the same tenant, role and name, and revokes this one after `overlapSeconds` (at once by default) so callers can switch over. The new key is shown once.',
        params: IdParamsSchema,
        body: RotateApiKeyBodySchema,
        response: { 201: RotatedApiKeySchema, ...problemResponses(400, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await admin.rotateKey(request.params.id, request.body)),
  );

  app.delete(
    '/admin/api-keys/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke an API key',
        description: 'Takes effect at once. Revoking a revoked key is a no-op.',
        params: IdParamsSchema,
        response: { 204: z.null().describe('Revoked'), ...problemResponses(400, 403, 404) },
      },
    },
    async (request, reply) => {
      await admin.revokeKey(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/tenant',
    {
      schema: {
        tags: ['tenant'],
        summary: "The caller's tenant and its Platform settings",
        response: { 200: TenantSchema, ...problemResponses() },
      },
    },
    async (request) => admin.get(request.auth.tenantId),
  );
  done();
};

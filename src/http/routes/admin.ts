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
  TenantSchema,
} from '../../admin/admin-schemas.js';
import type { TenantAdminService } from '../../admin/tenant-admin-service.js';
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
    async (request) => admin.ownTenant(request.auth.tenantId),
  );
  done();
};

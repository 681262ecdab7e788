// /destinations: where exports land. Handlers translate HTTP only; the service does the work.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DestinationAccessService } from '../../destinations/destination-access.js';
import {
  CreateDestinationBodySchema,
  DestinationAccessSchema,
  DestinationParamsSchema,
  DestinationSchema,
  UpdateDestinationBodySchema,
} from '../../destinations/destination-schemas.js';
import type { DestinationService } from '../../destinations/destination-service.js';
import { CursorQuerySchema, LimitQuerySchema } from './pagination.js';
import { problemResponses } from './problem-schema.js';

const ListQuerySchema = z.object({ limit: LimitQuerySchema, cursor: CursorQuerySchema.optional() }).strict();
const DestinationPageSchema = z.object({ items: z.array(DestinationSchema), nextCursor: z.string().nullable() }).meta({ id: 'DestinationPage' });

export const destinationRoutes: FastifyPluginCallbackZod<{ destinations: DestinationService; access: DestinationAccessService; publicUrl: string }> = (app, opts, done) => {
  const { destinations, access } = opts;
  const tags = ['destinations'];

  app.post(
    '/destinations',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Create a destination',
        description: 'Validates the location and credentials as the Platform auth spec of the type requires. Credentials are sealed and never returned.',
        body: CreateDestinationBodySchema,
        response: { 201: DestinationSchema, ...problemResponses(400, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await destinations.create(request.auth.tenantId, request.body);
      return reply.status(201).header('location', `${opts.publicUrl}/destinations/${created.id}`).send(created);
    },
  );

  app.get(
    '/destinations',
    {
      schema: {
        tags,
        summary: 'List destinations, newest first',
        querystring: ListQuerySchema,
        response: { 200: DestinationPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => destinations.list(request.auth.tenantId, { limit: request.query.limit, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) }),
  );

  app.get(
    '/destinations/:id',
    {
      schema: {
        tags,
        summary: 'Get a destination',
        params: DestinationParamsSchema,
        response: { 200: DestinationSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => destinations.get(request.auth.tenantId, request.params.id),
  );

  app.get(
    '/destinations/:id/access',
    {
      schema: {
        tags,
        summary: "Short-lived read credentials for a destination's files",
        description:
          "For the Data Landing Zone: the Platform's SAS for the tenant's export container (what aepp's getLandingZoneCredential returns), or its STS session on AWS-hosted orgs. For Azure Blob: a read/list SAS for the container. S3, GCS and SFTP destinations answer 409 (their long-lived keys cannot be narrowed here; use the runs' signed download links). Anyone holding the answer can read the files until `expiresAt`.",
        params: DestinationParamsSchema,
        response: { 200: DestinationAccessSchema, ...problemResponses(400, 404, 409, 502) },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await access.readAccess(request.auth.tenantId, request.params.id)),
  );

  app.patch(
    '/destinations/:id',
    {
      schema: {
        tags,
        summary: 'Rename a destination or rotate its credentials',
        description:
          "New credentials are checked against the destination's type (400 naming the field), sealed, and replace the `auth` of its Platform base connection (PATCH with If-Match) before the answer; the next export run uses them. 409 while an export is creating that connection (retry). 502/503 when the Platform refuses or is unavailable (nothing changed).",
        params: DestinationParamsSchema,
        body: UpdateDestinationBodySchema,
        response: { 200: DestinationSchema, ...problemResponses(400, 404, 409, 413, 415, 502, 503) },
      },
    },
    async (request) => destinations.update(request.auth.tenantId, request.params.id, request.body),
  );

  app.delete(
    '/destinations/:id',
    {
      schema: {
        tags,
        summary: 'Delete a destination',
        description:
          'Refused (409) while an export still uses it (unfinished, or recurring and not past its endAt), a pipeline schedule names it, or a pipeline still running names it; the problem lists them under `usedBy`.',
        params: DestinationParamsSchema,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await destinations.remove(request.auth.tenantId, request.params.id);
      return reply.status(204).send(null);
    },
  );
  done();
};

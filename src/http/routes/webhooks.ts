// Inbound ML platform callbacks (public: authenticated by signature or Databricks credentials,
// not by API key) and the tenant's outbound notification signing secret.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/client.js';
import { rotateTenantNotificationSecret } from '../../notifications/notification-secrets.js';
import type { MlCallbackService } from '../../pipelines/ml-callback-service.js';
import { problemResponses } from './problem-schema.js';

// Lenient on purpose: credentials are checked before the ids, so an unauthenticated call is a 401.
const CallbackParamsSchema = z.object({ pipelineId: z.string().min(1).max(100).describe('Pipeline id'), stepName: z.string().min(1).max(100).describe('Name of its ml step') });
const CallbackAnswerSchema = z
  .object({ status: z.enum(['accepted', 'ignored']), runId: z.number().int().nullable() })
  .meta({ id: 'MlCallbackAnswer' });
const NotificationSecretSchema = z
  .object({ secret: z.string().describe('whsec_… secret; shown once'), createdAt: z.iso.datetime() })
  .meta({ id: 'NotificationSecret' });

export const webhookRoutes: FastifyPluginAsyncZod<{ callbacks: MlCallbackService; db: Db; secrets: SecretBox }> = async (app, opts) => {
  // Signatures are checked on the raw bytes: in this scope every body stays a Buffer.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', '*'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/webhooks/ml/:pipelineId/:stepName',
    {
      config: { public: true },
      schema: {
        tags: ['webhooks'],
        summary: 'ML platform callback for a pipeline\'s ml step',
        description:
          'Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` with the step\'s secret, ±5 minutes, replayed ids refused with 409) or a Databricks job notification with basic or bearer auth. The body is not trusted: the pipeline re-fetches the run\'s status before it moves on. 202 once accepted.',
        params: CallbackParamsSchema,
        response: { 202: CallbackAnswerSchema, ...problemResponses(400, 404, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await opts.callbacks.receive({ ...request.params, headers: request.headers, rawBody });
      return reply.status(202).send(result);
    },
  );

  app.post(
    '/notification-secret',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Create or replace the secret that signs export notifications',
        description: 'Export `callbackUrl` deliveries are signed (Standard Webhooks) with this tenant secret; the answer shows it once. Pipelines sign with their own secret, returned when they are created.',
        response: { 201: NotificationSecretSchema, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const secret = await rotateTenantNotificationSecret(opts.db, opts.secrets, request.auth.tenantId);
      return reply.status(201).send({ secret, createdAt: new Date().toISOString() });
    },
  );
};

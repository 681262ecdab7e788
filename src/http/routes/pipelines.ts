// /pipelines and /pipeline-templates: accept, show, list, cancel, retry and rerun pipelines; save
// templates and start pipelines from them with parameters.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import {
  CreatePipelineBodySchema,
  CreateTemplateBodySchema,
  ListPipelinesQuerySchema,
  ListTemplatesQuerySchema,
  PipelinePageSchema,
  PipelineParamsSchema,
  PipelineSchema,
  StartTemplateBodySchema,
  TemplatePageSchema,
  TemplateSchema,
} from '../../pipelines/pipeline-schemas.js';
import type { PipelineService } from '../../pipelines/pipeline-service.js';
import type { TemplateService } from '../../pipelines/template-service.js';
import { idempotencyScopeOf, sendIdempotentAnswer } from '../plugins/idempotency.js';
import { problemResponses } from './problem-schema.js';

export const pipelineRoutes: FastifyPluginCallbackZod<{ pipelines: PipelineService; templates: TemplateService; publicUrl: string }> = (app, opts, done) => {
  const { pipelines, templates } = opts;
  const tags = ['pipelines'];
  const locationOf = (id: string) => `${opts.publicUrl}/pipelines/${id}`;

  app.post(
    '/pipelines',
    {
      config: { idempotent: 'atomic' },
      schema: {
        tags,
        summary: 'Start a pipeline',
        description:
          'Ordered steps (featurize, export, ml, ingest, audience, activate). A step takes an earlier step\'s output with `{"fromStep": "<name>", "output": "<output>"}`. The whole definition is checked first: unknown step names, forward references and outputs of the wrong kind are a 400 naming the field. Answers 202 with `Location` once committed; with a `callbackUrl` the answer carries, once, the `callbackSecret` its Standard Webhooks notifications are signed with.',
        body: CreatePipelineBodySchema,
        response: { 202: PipelineSchema, ...problemResponses(400, 404, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const { name, steps, callbackUrl, mlPlatform } = request.body;
      const input = { name, steps, ...(callbackUrl ? { callbackUrl } : {}), ...(mlPlatform ? { mlPlatform } : {}) };
      return sendIdempotentAnswer(request, reply, await pipelines.start(request.auth.tenantId, input, idempotencyScopeOf(request)));
    },
  );

  app.get(
    '/pipelines',
    {
      schema: { tags, summary: 'List pipelines, newest first', querystring: ListPipelinesQuerySchema, response: { 200: PipelinePageSchema, ...problemResponses(400) } },
    },
    async (request) => pipelines.list(request.auth.tenantId, request.query),
  );

  app.get(
    '/pipelines/:id',
    {
      schema: {
        tags,
        summary: 'Get a pipeline with each step\'s state, outputs, Platform and ML ids, timings and errors',
        params: PipelineParamsSchema,
        response: { 200: PipelineSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => pipelines.get(request.auth.tenantId, request.params.id),
  );

  app.post(
    '/pipelines/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a pipeline',
        description: 'Stops at once; the worker then cancels the current step\'s query, ML run, segment job or export. Cancelling a cancelled pipeline is a no-op.',
        params: PipelineParamsSchema,
        response: { 202: PipelineSchema, ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const updated = await pipelines.cancel(request.auth.tenantId, request.params.id);
      return reply.status(202).header('location', locationOf(updated.id)).send(updated);
    },
  );

  app.post(
    '/pipelines/:id/retry',
    {
      schema: {
        tags,
        summary: 'Retry a failed pipeline from its failed step',
        description: 'Earlier steps keep their outputs; the failed step starts again with new external names. 409 unless the pipeline failed.',
        params: PipelineParamsSchema,
        response: { 202: PipelineSchema, ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const updated = await pipelines.retry(request.auth.tenantId, request.params.id);
      return reply.status(202).header('location', locationOf(updated.id)).send(updated);
    },
  );

  app.post(
    '/pipelines/:id/rerun',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Run an ended pipeline again from the start, as a new pipeline',
        description:
          'For a succeeded, failed or cancelled pipeline: a new pipeline with the same definition, callback (signed with the same secret) and ML platform, answered 202 with its `Location`. 409 while the pipeline is still active. To continue a failed pipeline from its failed step instead, use `/retry`.',
        params: PipelineParamsSchema,
        response: { 202: PipelineSchema, ...problemResponses(400, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const created = await pipelines.rerun(request.auth.tenantId, request.params.id);
      return reply.status(202).header('location', locationOf(created.id)).send(created);
    },
  );

  app.post(
    '/pipeline-templates',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Save a pipeline template',
        description: 'Steps whose string values may hold `{{name}}` placeholders, declared in `parameters` with a type and an optional default. A value that is exactly one placeholder takes the parameter\'s type. 409 when the name is taken.',
        body: CreateTemplateBodySchema,
        response: { 201: TemplateSchema, ...problemResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await templates.create(request.auth.tenantId, request.body);
      return reply.status(201).header('location', `${opts.publicUrl}/pipeline-templates/${created.id}`).send(created);
    },
  );

  app.get(
    '/pipeline-templates',
    { schema: { tags, summary: 'List pipeline templates, newest first', querystring: ListTemplatesQuerySchema, response: { 200: TemplatePageSchema, ...problemResponses(400) } } },
    async (request) => templates.list(request.auth.tenantId, request.query),
  );

  app.get(
    '/pipeline-templates/:id',
    { schema: { tags, summary: 'Get a pipeline template', params: PipelineParamsSchema, response: { 200: TemplateSchema, ...problemResponses(400, 404) } } },
    async (request) => templates.get(request.auth.tenantId, request.params.id),
  );

  app.post(
    '/pipeline-templates/:id/start',
    {
      config: { idempotent: 'atomic' },
      schema: {
        tags,
        summary: 'Start a pipeline from a template with parameters',
        description: 'Substitutes the parameters (checked by type; defaults fill the rest), validates the resulting definition like POST /pipelines and starts it.',
        params: PipelineParamsSchema,
        body: StartTemplateBodySchema,
        response: { 202: PipelineSchema, ...problemResponses(400, 404, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      return sendIdempotentAnswer(request, reply, await templates.start(request.auth.tenantId, request.params.id, request.body, idempotencyScopeOf(request)));
    },
  );
  done();
};

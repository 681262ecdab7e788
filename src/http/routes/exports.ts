// /exports: accept, show, list, re-run, cancel, reschedule, pause and resume dataset exports.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateExportBodySchema,
  ExportPageSchema,
  ExportParamsSchema,
  ExportSchema,
  ListExportsQuerySchema,
  RunFileContentQuerySchema,
  RunFilesSchema,
  RunParamsSchema,
  UpdateExportBodySchema,
} from '../../exports/export-schemas.js';
import type { ExportService } from '../../exports/export-service.js';
import type { LandedFilesService } from '../../exports/landed-files-service.js';
import { idempotencyScopeOf, sendIdempotentAnswer } from '../plugins/idempotency.js';
import { problemResponses } from './problem-schema.js';

export const exportRoutes: FastifyPluginCallbackZod<{ exports: ExportService; landedFiles: LandedFilesService; publicUrl: string }> = (app, opts, done) => {
  const { exports, landedFiles } = opts;
  const tags = ['exports'];
  const locationOf = (id: string) => `${opts.publicUrl}/exports/${id}`;

  app.post(
    '/exports',
    {
      config: { idempotent: 'atomic' },
      schema: {
        tags,
        summary: 'Export a dataset to a destination',
        description:
          'Checks the destination, that the Platform knows the dataset, and its usage labels (C9 and C12 are refused; PSPD and RHD unless the tenant allows them). Answers 202 once the export is committed, with `Location`; a worker then creates or reuses the Platform flow and runs it.',
        body: CreateExportBodySchema,
        response: { 202: ExportSchema, ...problemResponses(400, 404, 413, 415, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      // The answer as the accept write stored it for the Idempotency-Key (or as replayed).
      return sendIdempotentAnswer(request, reply, await exports.create(request.auth.tenantId, request.body, idempotencyScopeOf(request)));
    },
  );

  app.get(
    '/exports',
    {
      schema: {
        tags,
        summary: 'List exports, newest first',
        querystring: ListExportsQuerySchema,
        response: { 200: ExportPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => exports.list(request.auth.tenantId, request.query),
  );

  app.get(
    '/exports/:id',
    {
      schema: {
        tags,
        summary: 'Get an export with its runs and Platform ids',
        params: ExportParamsSchema,
        response: { 200: ExportSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => exports.get(request.auth.tenantId, request.params.id),
  );

  app.get(
    '/exports/:id/runs/:runId/files',
    {
      schema: {
        tags,
        summary: 'The files a run landed, with short-lived download links',
        description:
          "Lists the files the worker found in the run's folder at the destination once the run succeeded. Each has a download link: a signed URL from the store itself (S3 presign, Azure SAS; anyone holding it can GET the file until `expiresAt`), or, where the protocol has none (SFTP), this API's `/files/content` link, which streams the file and needs your API key.",
        params: RunParamsSchema,
        response: { 200: RunFilesSchema, ...problemResponses(400, 404, 502) },
      },
    },
    async (request) => landedFiles.list(request.auth.tenantId, request.params.id, request.params.runId),
  );

  app.get(
    '/exports/:id/runs/:runId/files/content',
    {
      schema: {
        tags,
        summary: 'Download one landed file through the API',
        description: 'Streams a file the run landed (one of its listed `path`s) from the destination. Any other path answers 404.',
        params: RunParamsSchema,
        querystring: RunFileContentQuerySchema,
        // 200 is the file itself, streamed as application/octet-stream (Fastify does not serialize streams).
        response: { 200: z.unknown().describe('The file’s bytes (application/octet-stream)'), ...problemResponses(400, 404, 502) },
      },
    },
    async (request, reply) => {
      const file = await landedFiles.open(request.auth.tenantId, request.params.id, request.params.runId, request.query.path);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`)
        .send(file.stream);
    },
  );

  app.patch(
    '/exports/:id',
    {
      schema: {
        tags,
        summary: "Change a recurring export's schedule",
        description:
          "Updates the Platform flow's schedule (PATCH with If-Match) when the flow exists, then the export. An `ended` export given a later `endAt` is `active` again on the same flow; one whose `endAt` has passed and is not changed is refused with a 400 naming `endAt`.",
        params: ExportParamsSchema,
        body: UpdateExportBodySchema,
        response: { 200: ExportSchema, ...problemResponses(400, 404, 409, 422, 502, 503) },
      },
    },
    async (request) => exports.updateSchedule(request.auth.tenantId, request.params.id, request.body),
  );

  app.post(
    '/exports/:id/runs',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Run the export again',
        description: 'Triggers another ad hoc run on the same Platform flow. 409 while a run is wanted or in progress.',
        params: ExportParamsSchema,
        response: { 202: ExportSchema, ...problemResponses(400, 404, 409, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const updated = await exports.requestRun(request.auth.tenantId, request.params.id);
      return reply.status(202).header('location', locationOf(updated.id)).send(updated);
    },
  );

  app.post(
    '/exports/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel an export',
        description: 'Stops local work at once; the worker then disables the Platform flow. Cancelling a cancelled export is a no-op.',
        params: ExportParamsSchema,
        response: { 202: ExportSchema, ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const updated = await exports.cancel(request.auth.tenantId, request.params.id);
      return reply.status(202).header('location', locationOf(updated.id)).send(updated);
    },
  );

  app.post(
    '/exports/:id/pause',
    {
      schema: {
        tags,
        summary: 'Pause a recurring export',
        description:
          'Disables the export\'s Platform flow (flow action disable), so its schedule starts no new run, and marks the export `paused`. A run already going on is still recorded and announced when it finishes. Only an `active` recurring export can be paused; pausing a paused one is a no-op.',
        params: ExportParamsSchema,
        response: { 200: ExportSchema, ...problemResponses(400, 404, 409, 502, 503) },
      },
    },
    async (request, reply) => reply.status(200).send(await exports.pause(request.auth.tenantId, request.params.id)),
  );

  app.post(
    '/exports/:id/resume',
    {
      schema: {
        tags,
        summary: 'Resume a paused recurring export',
        description:
          'Enables the export\'s Platform flow again (flow action enable): its schedule runs from the next instant on (occurrences missed while paused are not caught up) and the export is `active` again. Resuming an active export is a no-op.',
        params: ExportParamsSchema,
        response: { 200: ExportSchema, ...problemResponses(400, 404, 409, 502, 503) },
      },
    },
    async (request, reply) => reply.status(200).send(await exports.resume(request.auth.tenantId, request.params.id)),
  );
  done();
};

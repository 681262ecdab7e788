// Segmentation routes under /data/core/ups: POST /segment/definitions (200), GET
// /segment/definitions (paged list), GET /segment/definitions/{id}, POST /segment/jobs [{segmentId}] (200, NEW), GET /segment/jobs,
// GET /segment/jobs/{id}, DELETE /segment/jobs/{id} (204, CANCELLED).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import type { SegmentJob } from './segment-records.js';
import { SegmentRejection, segmentServiceFor } from './segment-service.js';
import { DuplicateSegmentNameError } from './segment-store.js';
import { removeAudienceSnapshots } from './audience-activation.js';

export const UPS_BASE = '/data/core/ups';

const enabledSchema = z.object({ enabled: z.boolean() });
const createDefinitionSchema = z.looseObject({
  name: z.string().trim().min(1),
  description: z.string().optional(),
  expression: z.object({ type: z.string(), format: z.string(), value: z.string().min(1) }),
  schema: z.object({ name: z.string().min(1) }),
  mergePolicyId: z.string().min(1).optional(),
  evaluationInfo: z.object({ batch: enabledSchema, continuous: enabledSchema, synchronous: enabledSchema }).optional(),
  payloadSchema: z.string().optional(),
  ttlInDays: z.number().int().positive().optional(),
});
const createJobSchema = z.array(z.looseObject({ segmentId: z.string().min(1) })).min(1);
const paramsSchema = z.object({ id: z.string().min(1) });
const listDefinitionsSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  page: z.coerce.number().int().min(0).default(0),
  start: z.coerce.number().int().min(0).optional(),
  sort: z.string().optional(),
});
const listJobsSchema = z.object({
  status: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  start: z.coerce.number().int().min(0).default(0),
});

function jobView(job: SegmentJob, origin: string): SegmentJob & { _links: Record<string, Record<string, string>> } {
  const href = `${origin}${UPS_BASE}/segment/jobs/${job.id}`;
  return { ...job, _links: { cancel: { href, method: 'DELETE' }, checkStatus: { href, method: 'GET' } } };
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function rejection(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof SegmentRejection) return sendError(reply, error.status, messageError(error.message));
  if (error instanceof DuplicateSegmentNameError) return sendError(reply, 422, messageError(`A segment definition named "${error.message}" already exists`));
  throw error;
}

export function registerSegmentRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const service = segmentServiceFor(ctx);

  app.post(`${UPS_BASE}/segment/definitions`, async (request, reply) => {
    const body = createDefinitionSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError(`Invalid segment definition: ${z.prettifyError(body.error)}`));
    try {
      return await reply.code(200).send(await service.createDefinition(request.tenancy, body.data));
    } catch (error) {
      return rejection(reply, error);
    }
  });

  // segmentation.yaml listSegmentDefinitions: `start` (offset), `limit`, `page` (0-based page
  // number), `sort`; no name filter. Adobe's segment definitions guide shows the answer as
  // `{segments, page: {totalCount, totalPages, sortField, sort, pageSize, limit}, link: {next}}`.
  app.get(`${UPS_BASE}/segment/definitions`, async (request, reply) => {
    const query = listDefinitionsSchema.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, messageError(z.prettifyError(query.error)));
    const { limit, page } = query.data;
    const offset = query.data.start ?? page * limit;
    const listed = await service.store.listDefinitions(request.tenancy, limit, offset);
    const totalPages = Math.ceil(listed.total / limit);
    const hasNext = offset + listed.items.length < listed.total;
    const next = hasNext ? `${originOf(request)}${UPS_BASE}/segment/definitions?${new URLSearchParams({ limit: String(limit), page: String(Math.floor(offset / limit) + 1) }).toString()}` : '';
    return {
      segments: listed.items,
      page: { totalCount: listed.total, totalPages, sortField: 'creationTime', sort: 'asc', pageSize: listed.items.length, limit },
      link: { next },
    };
  });

  app.get(`${UPS_BASE}/segment/definitions/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    const definition = await service.store.getDefinition(request.tenancy, id);
    if (definition === null) return sendError(reply, 404, messageError(`Segment definition ${id} not found`));
    return definition;
  });

  // segmentation.yaml `deleteSegmentDefinition`: 200 with a MessageResponse.
  app.delete(`${UPS_BASE}/segment/definitions/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    if (!(await service.store.deleteDefinition(request.tenancy, id))) return sendError(reply, 404, messageError(`Segment definition ${id} not found`));
    await removeAudienceSnapshots(ctx, request.tenancy, id);
    return { status: true, message: `Segment definition ${id} deleted` };
  });

  app.post(`${UPS_BASE}/segment/jobs`, async (request, reply) => {
    const body = createJobSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError('The body must be a non-empty array of {"segmentId": "…"}'));
    try {
      const job = await service.createJob(request.tenancy, [...new Set(body.data.map((s) => s.segmentId))]);
      return await reply.code(200).send(jobView(job, originOf(request)));
    } catch (error) {
      return rejection(reply, error);
    }
  });

  app.get(`${UPS_BASE}/segment/jobs`, async (request, reply) => {
    const query = listJobsSchema.safeParse(request.query);
    if (!query.success) return sendError(reply, 400, messageError(z.prettifyError(query.error)));
    const page = await service.store.listJobs(request.tenancy, { limit: query.data.limit, start: query.data.start, ...(query.data.status === undefined ? {} : { status: query.data.status }) });
    return { _page: { totalCount: page.total, pageSize: page.items.length }, children: page.items.map((job) => jobView(job, originOf(request))) };
  });

  app.get(`${UPS_BASE}/segment/jobs/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    const job = await service.store.getJob(request.tenancy, id);
    if (job === null) return sendError(reply, 404, messageError(`Segment job ${id} not found`));
    return jobView(job, originOf(request));
  });

  app.delete(`${UPS_BASE}/segment/jobs/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    if (await service.store.cancelJob(request.tenancy, id, ctx.now())) return reply.code(204).send();
    const job = await service.store.getJob(request.tenancy, id);
    if (job === null) return sendError(reply, 404, messageError(`Segment job ${id} not found`));
    return sendError(reply, 400, messageError(`Segment job ${id} is ${job.status}; only NEW or PROCESSING jobs can be cancelled`));
  });
}

// Segmentation (`/data/core/ups`, segmentation.yaml): segment definitions from PQL
// (`createSegmentDefinition`, `listSegmentDefinitions`, `deleteSegmentDefinition`), segment jobs
// that evaluate them now instead of the daily run (`createSegmentJob`, `listSegmentJobs`), and the
// job list a lost create answer is found in again.
import type { CallOptions, Send } from './call-executor.js';
import { sendEnding } from './ending-call.js';
import { PlatformError } from './errors.js';
import { SegmentDefinitionListSchema, SegmentDefinitionSchema, SegmentJobListSchema, SegmentJobSchema, type SegmentDefinition, type SegmentJob } from './pipeline-types.js';
import { findInPages, pagesOf, type Page } from './paging.js';
import { parseBody } from './responses.js';

const UPS = '/data/core/ups';
/** The list's largest page. */
const LIST_PAGE_SIZE = 100;
/** A bound on pages read by one lookup. */
const MAX_LIST_PAGES = 1000;
const call = { area: 'datasets' as const, subject: 'segment', permission: 'Manage Audiences' };

/** The 422 Segmentation answers for a name already taken. */
export function isDuplicateSegmentName(error: unknown): boolean {
  return error instanceof PlatformError && error.status === 422 && /already exists/i.test(error.platformMessage ?? '');
}

export function segmentationMethods(send: Send) {
  return {
    async createSegmentDefinition(input: { name: string; description?: string; pql: string }, opts?: CallOptions): Promise<SegmentDefinition> {
      const meta = { ...call, endpoint: 'segmentDefinitions.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
          method: 'POST',
          path: `${UPS}/segment/definitions`,
          safety: 'create',
          body: {
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            profileInstanceId: 'ups',
            expression: { type: 'PQL', format: 'pql/text', value: input.pql },
            schema: { name: '_xdm.context.profile' },
            payloadSchema: 'string',
            ttlInDays: 60,
          },
        },
        opts,
      );
      return parseBody(SegmentDefinitionSchema, response, meta);
    },

    /**
     * The definition with this exact name, or null. segmentation.yaml's listSegmentDefinitions has
     * no name filter (a real org ignores one), so this pages through every definition (`page`,
     * `limit`) and matches the name here.
     */
    async findSegmentDefinitionByName(name: string, opts?: CallOptions): Promise<SegmentDefinition | null> {
      const meta = { ...call, endpoint: 'segmentDefinitions.list' };
      const readPage = async (cursor: number | undefined): Promise<Page<SegmentDefinition, number>> => {
        const page = cursor ?? 0;
        const response = await send({ ...meta, method: 'GET', path: `${UPS}/segment/definitions`, query: [['limit', LIST_PAGE_SIZE], ['page', page]] }, opts);
        const listed = parseBody(SegmentDefinitionListSchema, response, meta);
        const totalPages = listed.page?.totalPages;
        const isLast = listed.segments.length === 0 || (totalPages !== undefined && page + 1 >= totalPages);
        return { items: listed.segments, next: isLast ? undefined : page + 1 };
      };
      return findInPages(pagesOf(readPage, MAX_LIST_PAGES), (s) => s.name === name);
    },

    async createSegmentJob(segmentId: string, opts?: CallOptions): Promise<SegmentJob> {
      const meta = { ...call, endpoint: 'segmentJobs.create', ambiguous: true };
      const response = await send(
        { ...meta, method: 'POST', path: `${UPS}/segment/jobs`, safety: 'create', body: [{ segmentId }], headers: { 'x-profile-instance-id': 'ups' } },
        opts,
      );
      return parseBody(SegmentJobSchema, response, meta);
    },

    async getSegmentJob(jobId: string, opts?: CallOptions): Promise<SegmentJob> {
      const meta = { ...call, endpoint: 'segmentJobs.get' };
      const response = await send({ ...meta, method: 'GET', path: `${UPS}/segment/jobs/${encodeURIComponent(jobId)}` }, opts);
      return parseBody(SegmentJobSchema, response, meta);
    },

    /** The newest segment jobs (one page). */
    async listSegmentJobs(opts?: CallOptions & { limit?: number }): Promise<SegmentJob[]> {
      const meta = { ...call, endpoint: 'segmentJobs.list' };
      const response = await send({ ...meta, method: 'GET', path: `${UPS}/segment/jobs`, query: [['limit', opts?.limit ?? 100]] }, opts);
      return parseBody(SegmentJobListSchema, response, meta).children;
    },

    /** Deletes a segment definition (segmentation.yaml `deleteSegmentDefinition`); false when already gone. */
    deleteSegmentDefinition: (segmentId: string, opts?: CallOptions): Promise<boolean> =>
      sendEnding(send, { ...call, endpoint: 'segmentDefinitions.delete', method: 'DELETE', path: `${UPS}/segment/definitions/${encodeURIComponent(segmentId)}` }, opts),

    /** Cancels a NEW or PROCESSING job; false when it had already ended or is unknown. */
    cancelSegmentJob: (jobId: string, opts?: CallOptions): Promise<boolean> =>
      sendEnding(send, { ...call, endpoint: 'segmentJobs.cancel', method: 'DELETE', path: `${UPS}/segment/jobs/${encodeURIComponent(jobId)}` }, opts, ['not_found', 'permanent']),
  };
}

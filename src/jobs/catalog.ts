// The typed job catalog: every queue, job name, payload schema and BullMQ options in one place.
// Payloads carry ids only; Postgres holds the state. New payload fields stay optional until old
// jobs have drained.
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

export const queueNames = { exports: 'exports', pipelines: 'pipelines', pipelineSchedules: 'pipeline-schedules' } as const;

const defaultOptions: JobsOptions = {
  // Our own steps decide retries (delayed re-scheduling with backoff); BullMQ attempts only cover
  // crashes and unexpected throws.
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

export const jobCatalog = {
  'export.run': {
    queue: queueNames.exports,
    payload: z.object({ exportId: z.uuid() }),
    options: defaultOptions,
  },
  'pipeline.run': {
    queue: queueNames.pipelines,
    payload: z.object({ pipelineId: z.uuid() }),
    options: defaultOptions,
  },
  /**
   * One instant of a pipeline schedule. Never enqueued by id: BullMQ's job scheduler of the same id
   * (upserted from the schedule row) adds one at each instant, job id `repeat:<scheduleId>:<ms>`.
   */
  'pipeline.schedule': {
    queue: queueNames.pipelineSchedules,
    payload: z.object({ scheduleId: z.uuid() }),
    options: { ...defaultOptions, attempts: 3 },
  },
} as const;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['payload']>;

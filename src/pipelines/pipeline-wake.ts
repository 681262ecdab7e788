// Wakes a waiting pipeline now (an ML callback arrived): its row is marked due and its delayed
// BullMQ job promoted, so the worker re-fetches the run's status at once instead of at the next
// poll (src/jobs/wake-job.ts). A lost wake only delays: polling stays.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { wakeJob } from '../jobs/wake-job.js';
import type { JobProducer } from '../jobs/queue.js';

export async function wakePipeline(db: Db, producer: Pick<JobProducer, 'queue' | 'enqueue'>, pipelineId: string, log: Pick<Logger, 'warn' | 'debug'>): Promise<void> {
  await db.pipeline.updateMany({ where: { id: pipelineId, status: { in: ['queued', 'running', 'waiting'] } }, data: { nextCheckAt: new Date() } });
  await wakeJob(producer, 'pipeline.run', { pipelineId }, log);
}

// Wakes a waiting pipeline now (an ML callback arrived): its row is marked due and its delayed
// BullMQ job promoted, so the worker re-fetches the run's status at once instead of at the next
// poll. If the job is active at that moment it is tried again briefly, so a callback racing the
// job's own re-scheduling is not left waiting for the poll. A lost wake only delays: polling stays.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { jobCatalog } from '../jobs/catalog.js';
import type { JobProducer } from '../jobs/queue.js';

const RETRIES_WHILE_ACTIVE = 5;
const RETRY_DELAY_MS = 300;

export async function wakePipeline(db: Db, producer: Pick<JobProducer, 'queue' | 'enqueue'>, pipelineId: string, log: Pick<Logger, 'warn' | 'debug'>): Promise<void> {
  await db.pipeline.updateMany({ where: { id: pipelineId, status: { in: ['queued', 'running', 'waiting'] } }, data: { nextCheckAt: new Date() } });
  try {
    const queue = producer.queue(jobCatalog['pipeline.run'].queue);
    for (let attempt = 0; attempt <= RETRIES_WHILE_ACTIVE; attempt++) {
      const job = await queue.getJob(pipelineId);
      if (job === undefined) {
        await producer.enqueue('pipeline.run', { pipelineId });
        return;
      }
      const state = await job.getState();
      if (state === 'delayed') {
        await job.promote();
        return;
      }
      if (state !== 'active') return;
      await sleep(RETRY_DELAY_MS);
    }
  } catch (error) {
    log.warn({ pipelineId, err: error }, 'could not wake the pipeline job; it runs at its next poll');
  }
}

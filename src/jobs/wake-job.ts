// Wakes a row's job now rather than at its next delayed look: a delayed BullMQ job is promoted, a
// missing one enqueued; an active one is tried again briefly, so a wake racing the job's own
// re-scheduling is not left waiting. A lost wake only delays: the job's own looks (and the
// sweeper) stay. Used for ML callbacks reaching a waiting pipeline, and for API changes to an
// export whose job waits (cancel, pause, resume).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { jobCatalog, type JobName, type JobPayload } from './catalog.js';
import type { JobProducer } from './queue.js';

const RETRIES_WHILE_ACTIVE = 5;
const RETRY_DELAY_MS = 300;

export async function wakeJob<N extends JobName>(
  producer: Pick<JobProducer, 'queue' | 'enqueue'>,
  name: N,
  payload: JobPayload<N>,
  log: Pick<Logger, 'warn'>,
): Promise<void> {
  const jobId = Object.values(payload)[0];
  if (typeof jobId !== 'string') throw new Error('job payloads start with their row id');
  try {
    const queue = producer.queue(jobCatalog[name].queue);
    for (let attempt = 0; attempt <= RETRIES_WHILE_ACTIVE; attempt++) {
      const job = await queue.getJob(jobId);
      if (job === undefined) {
        await producer.enqueue(name, payload);
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
    log.warn({ job: name, jobId, err: error }, 'could not wake the job; it runs at its next look');
  }
}

// The worker side of pipeline schedules: a BullMQ worker on the `pipeline-schedules` queue turns
// each scheduler job into an occurrence (schedule-fire.ts), and a reconciliation, on start and
// every PIPELINE_SCHEDULE_RECONCILE_MS, brings BullMQ's job schedulers in line with the rows and
// catches up an instant missed while no worker ran (once: see the policies in schedule-fire.ts).
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { jobCatalog } from '../../jobs/catalog.js';
import { createDelayingWorker, type DelayingWorkerOptions } from '../../jobs/delaying-worker.js';
import type { JobProducer } from '../../jobs/queue.js';
import { startSweepLoop, type RunningSweeper } from '../../jobs/sweep-loop.js';
import { fireOccurrence, instantOfSchedulerJob, type FireDeps } from './schedule-fire.js';
import { allSchedules } from './schedule-store.js';
import { reconcileSchedulers } from './scheduler-sync.js';

export interface ScheduleWorkerDeps {
  db: Db;
  producer: Pick<JobProducer, 'enqueue' | 'queue'>;
  hourMs: number;
  reconcileIntervalMs: number;
  now?: () => Date;
  log: Logger;
}

export interface RunningScheduleWorker {
  worker: Worker;
  /** One reconciliation now (what the loop runs); the ids of schedules whose missed instant it started. */
  reconcile(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startScheduleWorker(deps: ScheduleWorkerDeps, options: DelayingWorkerOptions): Promise<RunningScheduleWorker> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ component: 'pipeline-schedules' });
  const fire: FireDeps = { db: deps.db, producer: deps.producer, hourMs: deps.hourMs, now, log };
  const queue = deps.producer.queue(jobCatalog['pipeline.schedule'].queue);

  async function reconcile(): Promise<string[]> {
    const rows = await allSchedules(deps.db);
    await reconcileSchedulers(queue, rows, deps.hourMs, now(), log);
    const started: string[] = [];
    for (const row of rows.filter((r) => r.status === 'active')) {
      const result = await fireOccurrence(fire, row.id, now(), 'recovery');
      if (result.outcome !== 'ignored') started.push(row.id);
    }
    return started;
  }

  // Before taking jobs: schedulers as the rows say, and what was missed while no worker ran.
  await reconcile().catch((err: unknown) => log.warn({ err }, 'pipeline schedule reconciliation failed; the loop tries again'));
  const worker = createDelayingWorker(
    'pipeline.schedule',
    log,
    async ({ scheduleId }, jobLog, _progress, job) => {
      const seen = instantOfSchedulerJob(job.id) ?? now();
      const result = await fireOccurrence({ ...fire, log: jobLog }, scheduleId, seen, 'scheduler');
      return { kind: 'done', reason: result.outcome };
    },
    options,
  );
  const loop: RunningSweeper = startSweepLoop(reconcile, deps.reconcileIntervalMs, log, 'pipeline schedules');
  await worker.waitUntilReady();
  return {
    worker,
    reconcile,
    async close() {
      await loop.stop();
      await worker.close();
    },
  };
}

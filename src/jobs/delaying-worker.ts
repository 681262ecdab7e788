// One BullMQ worker shape for every durable job: parse the payload (a row id only), run the
// processor, and turn its `delay` into BullMQ's documented pattern (moveToDelayed + DelayedError)
// so a job waiting for the Platform holds no worker slot. Each activation runs in a log context
// carrying its job id and is timed by outcome.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withLogContext } from '../logger.js';
import { startJobTimer } from '../metrics/job-timer.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { jobCatalog, type JobName, type JobPayload } from './catalog.js';

export type JobOutcome = { kind: 'done'; reason: string } | { kind: 'delay'; delayMs: number; progress: object };

export interface DelayingWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Job durations by outcome go here when given. */
  metrics?: ServiceMetrics;
}

export function createDelayingWorker<N extends JobName>(
  name: N,
  log: Logger,
  run: (payload: JobPayload<N>, jobLog: Logger, progress: unknown, job: { id: string | undefined }) => Promise<JobOutcome>,
  options: DelayingWorkerOptions,
): Worker {
  const queue = jobCatalog[name].queue;
  const kind = name.split('.')[0];
  const activation = async (job: Job, token: string | undefined, finish: (outcome: string) => void): Promise<string> => {
    const parsed = jobCatalog[name].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`${name} payload is invalid: ${parsed.error.message}`);
    const jobLog = log.child({ jobId: job.id, queue, attempt: job.attemptsMade });
    const outcome = await run(parsed.data as JobPayload<N>, jobLog, job.progress, { id: job.id });
    if (outcome.kind === 'done') {
      finish(outcome.reason);
      return outcome.reason;
    }
    await job.updateProgress(outcome.progress);
    await job.moveToDelayed(Date.now() + outcome.delayMs, token);
    finish('waiting');
    throw new DelayedError();
  };
  const processor = (job: Job, token?: string): Promise<string> =>
    withLogContext({ jobId: job.id ?? 'unknown', queue }, async () => {
      const finish = startJobTimer(options.metrics, queue, job.name);
      try {
        return await activation(job, token, finish);
      } catch (error) {
        finish(error instanceof UnrecoverableError ? 'invalid' : 'error');
        throw error;
      }
    });

  const worker = new Worker(queue, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
  });
  worker.on('error', (err) => log.error({ err }, `${kind} worker error`));
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id, attemptsMade: job?.attemptsMade }, `${kind} job failed`));
  worker.on('stalled', (jobId) => log.warn({ jobId }, `${kind} job stalled (its worker died or blocked); it runs again`));
  return worker;
}

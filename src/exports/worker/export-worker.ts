// The BullMQ side of the export job: parse the payload (an export id only), run the processor,
// and turn its `delay` into BullMQ's documented pattern (moveToDelayed + DelayedError) so a job
// waiting for the Platform holds no worker slot. Each activation runs in a log context carrying
// its job id (so even the Platform client's lines have it) and is timed by outcome.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobCatalog, queueNames } from '../../jobs/catalog.js';
import { withLogContext } from '../../logger.js';
import { startJobTimer } from '../../metrics/job-timer.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';
import { processExport, type ProcessorDeps } from './process-export.js';

export interface ExportWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Job durations by outcome go here when given. */
  metrics?: ServiceMetrics;
}

export function createExportWorker(deps: ProcessorDeps, options: ExportWorkerOptions): Worker {
  const { log } = deps;
  const activation = async (job: Job, token: string | undefined, finish: (outcome: string) => void): Promise<string> => {
    const parsed = jobCatalog['export.run'].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`export.run payload is invalid: ${parsed.error.message}`);
    const jobLog = log.child({ jobId: job.id, queue: queueNames.exports, attempt: job.attemptsMade });
    const outcome = await processExport({ ...deps, log: jobLog }, parsed.data.exportId, job.progress);
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
    withLogContext({ jobId: job.id ?? 'unknown', queue: queueNames.exports }, async () => {
      const finish = startJobTimer(options.metrics, queueNames.exports, job.name);
      try {
        return await activation(job, token, finish);
      } catch (error) {
        finish(error instanceof UnrecoverableError ? 'invalid' : 'error');
        throw error;
      }
    });

  const worker = new Worker(queueNames.exports, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
  });
  worker.on('error', (err) => log.error({ err }, 'export worker error'));
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'export job failed'));
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'export job stalled (its worker died or blocked); it runs again'));
  return worker;
}

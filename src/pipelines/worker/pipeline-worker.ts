// The BullMQ side of the pipeline job: parse the payload (a pipeline id only), run the processor,
// and turn its `delay` into BullMQ's documented pattern (moveToDelayed + DelayedError) so a
// pipeline waiting for the Platform or an ML run holds no worker slot. A callback wakes a waiting
// job early by promoting it (see pipeline-wake.ts).
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobCatalog, queueNames } from '../../jobs/catalog.js';
import { withLogContext } from '../../logger.js';
import { startJobTimer } from '../../metrics/job-timer.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';
import { processPipeline, type PipelineProcessorDeps } from './process-pipeline.js';

export interface PipelineWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  metrics?: ServiceMetrics;
}

export function createPipelineWorker(deps: PipelineProcessorDeps, options: PipelineWorkerOptions): Worker {
  const { log } = deps;
  const activation = async (job: Job, token: string | undefined, finish: (outcome: string) => void): Promise<string> => {
    const parsed = jobCatalog['pipeline.run'].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`pipeline.run payload is invalid: ${parsed.error.message}`);
    const jobLog = log.child({ jobId: job.id, queue: queueNames.pipelines, attempt: job.attemptsMade });
    const outcome = await processPipeline({ ...deps, log: jobLog }, parsed.data.pipelineId, job.progress);
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
    withLogContext({ jobId: job.id ?? 'unknown', queue: queueNames.pipelines }, async () => {
      const finish = startJobTimer(options.metrics, queueNames.pipelines, job.name);
      try {
        return await activation(job, token, finish);
      } catch (error) {
        finish(error instanceof UnrecoverableError ? 'invalid' : 'error');
        throw error;
      }
    });

  const worker = new Worker(queueNames.pipelines, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
  });
  worker.on('error', (err) => log.error({ err }, 'pipeline worker error'));
  worker.on('failed', (job, err) => log.error({ err, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'pipeline job failed'));
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'pipeline job stalled (its worker died or blocked); it runs again'));
  return worker;
}

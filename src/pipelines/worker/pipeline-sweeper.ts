// The durability net under the pipeline queue, shaped like the export sweeper
// (src/exports/sweeper.ts): pipelines committed while Redis could not take their job, jobs lost
// with a Redis restart, or jobs that exhausted BullMQ's attempts leave a row whose `nextCheckAt`
// is in the past; cancelled pipelines whose step still needs its external work stopped too. The
// sweeper re-enqueues them by id (jobId = row id). It also drops expired webhook receipts.
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { jobCatalog } from '../../jobs/catalog.js';
import type { JobProducer } from '../../jobs/queue.js';
import { releaseFinishedJobs, startSweepLoop, type RunningSweeper } from '../../jobs/sweep-loop.js';
import { deleteExpiredReceipts } from '../../webhooks/receipt-store.js';

export interface PipelineSweeperOptions {
  intervalMs: number;
  graceMs: number;
  batchSize?: number;
}

export async function claimOverduePipelines(db: Db, graceMs: number, batchSize: number): Promise<string[]> {
  const cutoff = new Date(Date.now() - graceMs);
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH due AS (
      SELECT p.id FROM pipelines p
      WHERE (p.status IN ('queued', 'running', 'waiting')
             OR (p.status = 'cancelled' AND EXISTS (SELECT 1 FROM pipeline_steps s WHERE s.pipeline_id = p.id AND s.state = 'cancelling')))
        AND p.next_check_at < ${cutoff}::timestamptz
      ORDER BY p.next_check_at
      LIMIT ${batchSize}
      FOR UPDATE OF p SKIP LOCKED
    )
    UPDATE pipelines SET next_check_at = now() FROM due WHERE pipelines.id = due.id
    RETURNING pipelines.id::text AS id`;
  return rows.map((r) => r.id);
}

export async function sweepPipelinesOnce(db: Db, producer: JobProducer, options: Pick<PipelineSweeperOptions, 'graceMs' | 'batchSize'>): Promise<string[]> {
  const ids = await claimOverduePipelines(db, options.graceMs, options.batchSize ?? 500);
  if (ids.length > 0) {
    await releaseFinishedJobs(producer.queue(jobCatalog['pipeline.run'].queue), ids);
    await producer.enqueueMany(
      'pipeline.run',
      ids.map((pipelineId) => ({ pipelineId })),
    );
  }
  await deleteExpiredReceipts(db, new Date());
  return ids;
}

export function startPipelineSweeper(db: Db, producer: JobProducer, options: PipelineSweeperOptions, log: Logger): RunningSweeper {
  return startSweepLoop(() => sweepPipelinesOnce(db, producer, options), options.intervalMs, log, 'pipelines');
}

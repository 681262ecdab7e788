// A cancelled pipeline: stop the external work of the step it was at (cancel the query, the ML
// run, the segment job; cancel the export, whose worker then disables its flow), then mark that
// step `cancelled` (the API set the pipeline's status and the step's `cancelling`). Each part is
// idempotent, so a duplicate delivery only re-checks; Platform trouble retries later.
import type { Logger } from 'pino';
import { enqueueExportAfterCommit } from '../../exports/export-enqueue.js';
import { markCancelled } from '../../exports/export-store.js';
import { activeExportStatuses } from '../../exports/export-status.js';
import type { PipelineStep } from '../../generated/prisma/client.js';
import { PlatformError } from '../../platform/errors.js';
import { MlPlatformError } from '../ml-client.js';
import { jsonRecord, type LoadedPipeline } from './pipeline-model.js';
import { pollDelayMs } from './pipeline-outcome.js';
import { idOf, type PipelineDeps } from './step-context.js';

export type CleanupResult = { kind: 'finished' } | { kind: 'wait'; delayMs: number };

async function stopExternalWork(deps: PipelineDeps & { log: Logger }, pipeline: LoadedPipeline, step: PipelineStep): Promise<void> {
  const ids = jsonRecord(step.externalIds);
  switch (step.kind) {
    case 'featurize': {
      const queryId = idOf(ids, 'queryId');
      if (queryId !== undefined && (await deps.platformFor(pipeline).cancelQuery(queryId))) deps.log.info({ queryId }, 'featurization query cancelled');
      return;
    }
    case 'ml': {
      if (typeof ids.mlRunId === 'number') {
        await deps.mlFor(pipeline).cancelRun(ids.mlRunId);
        deps.log.info({ mlRunId: ids.mlRunId }, 'ML run cancelled');
      }
      return;
    }
    case 'audience': {
      const jobId = idOf(ids, 'segmentJobId');
      if (jobId !== undefined && (await deps.platformFor(pipeline).cancelSegmentJob(jobId))) deps.log.info({ segmentJobId: jobId }, 'segment job cancelled');
      return;
    }
    case 'export': {
      const exportId = idOf(ids, 'exportId');
      if (exportId === undefined) return;
      const at = new Date(deps.now());
      if (await deps.db.$transaction((tx) => markCancelled(tx, pipeline.tenantId, exportId, activeExportStatuses, at))) {
        await enqueueExportAfterCommit(deps.producer, exportId, deps.log);
        deps.log.info({ exportId }, 'export cancelled');
      }
      return;
    }
    default:
      // ingest and activate have nothing cancellable at the Platform once started.
      return;
  }
}

export async function cleanUpCancelledPipeline(deps: PipelineDeps & { log: Logger; waits: number }, pipeline: LoadedPipeline): Promise<CleanupResult> {
  for (const step of pipeline.steps.filter((s) => s.state === 'cancelling')) {
    try {
      await stopExternalWork(deps, pipeline, step);
    } catch (error) {
      const transient = (error instanceof PlatformError && error.retryable) || (error instanceof MlPlatformError && error.kind === 'transient');
      if (transient) {
        const delayMs = pollDelayMs(deps);
        await deps.db.pipeline.updateMany({ where: { id: pipeline.id, status: 'cancelled' }, data: { nextCheckAt: new Date(deps.now() + delayMs) } });
        return { kind: 'wait', delayMs };
      }
      if (!(error instanceof PlatformError) && !(error instanceof MlPlatformError)) throw error;
      deps.log.warn({ err: error, step: step.name }, 'could not stop the cancelled step\'s external work; left as it is');
    }
    await deps.db.pipelineStep.updateMany({ where: { id: step.id, state: 'cancelling' }, data: { state: 'cancelled', finishedAt: new Date(deps.now()) } });
  }
  return { kind: 'finished' };
}

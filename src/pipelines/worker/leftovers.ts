// Clean-up of what earlier runs of a pipeline left on the Platform. Every run creates its own CTAS
// dataset (featurize), segment definition (audience) and activation flow with its source and
// target connections (activate), under names unique to the run; the scores dataset and schema
// are shared by name and stay. Once a run succeeds, the runs of the same tenant and pipeline name
// older than the newest `retainRuns` succeeded ones lose those objects (PIPELINE_RETAIN_RUNS,
// default 1; 0 keeps everything). Each step is marked `leftoversRemovedAt` once its objects are
// gone, so a crash or a Platform hiccup only leaves the rest for the next successful run; already
// deleted objects (404) count as gone. A clean-up failure never fails the run that triggered it.
import type { Logger } from 'pino';
import type { PipelineStep } from '../../generated/prisma/client.js';
import type { PlatformClient } from '../../platform/client.js';
import { jsonRecord, type LoadedPipeline } from './pipeline-model.js';
import { idOf, type PipelineDeps } from './step-context.js';

/** Older runs looked at per clean-up (the rest wait for the next success). */
const MAX_RUNS_PER_PASS = 20;
const REMOVED_MARK = 'leftoversRemovedAt';

export interface RemovedObject {
  kind: 'flow' | 'targetConnection' | 'sourceConnection' | 'segmentDefinition' | 'dataset';
  id: string;
}

/** The step's own objects, in the order they can be deleted (a flow before its connections). */
function ownObjects(step: PipelineStep): RemovedObject[] {
  const ids = jsonRecord(step.externalIds);
  const outputs = jsonRecord(step.outputs);
  const of = (kind: RemovedObject['kind'], id: string | undefined): RemovedObject[] => (id === undefined ? [] : [{ kind, id }]);
  switch (step.kind) {
    case 'activate':
      return [...of('flow', idOf(ids, 'flowId')), ...of('targetConnection', idOf(ids, 'targetConnectionId')), ...of('sourceConnection', idOf(ids, 'sourceConnectionId'))];
    case 'audience':
      return of('segmentDefinition', idOf(outputs, 'segmentId') ?? idOf(ids, 'segmentId'));
    case 'featurize':
      return of('dataset', idOf(outputs, 'datasetId'));
    default:
      return [];
  }
}

function remove(platform: PlatformClient, object: RemovedObject): Promise<boolean> {
  switch (object.kind) {
    case 'flow':
      return platform.deleteFlow(object.id);
    case 'targetConnection':
      return platform.deleteTargetConnection(object.id);
    case 'sourceConnection':
      return platform.deleteSourceConnection(object.id);
    case 'segmentDefinition':
      return platform.deleteSegmentDefinition(object.id);
    case 'dataset':
      return platform.deleteDataset(object.id);
  }
}

/** Deletes the leftovers of superseded runs; returns what it deleted (for logs and tests). */
export async function removeSupersededLeftovers(deps: PipelineDeps & { log: Logger }, pipeline: LoadedPipeline): Promise<RemovedObject[]> {
  const retain = deps.settings.pipelines.retainRuns;
  if (retain === 0) return [];
  const older = await deps.db.pipeline.findMany({
    where: { tenantId: pipeline.tenantId, name: pipeline.name, status: 'succeeded' },
    orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
    skip: retain,
    take: MAX_RUNS_PER_PASS,
    include: { steps: { orderBy: { index: 'desc' } } },
  });
  const platform = deps.platformFor(pipeline);
  const removed: RemovedObject[] = [];
  for (const run of older) {
    if (run.id === pipeline.id) continue;
    for (const step of run.steps) {
      const ids = jsonRecord(step.externalIds);
      if (ids[REMOVED_MARK] !== undefined) continue;
      const objects = ownObjects(step);
      try {
        for (const object of objects) if (await remove(platform, object)) removed.push(object);
      } catch (error) {
        deps.log.warn({ err: error, pipelineId: run.id, step: step.name }, 'could not remove an earlier run\'s Platform objects; the next successful run tries again');
        return removed;
      }
      await deps.db.pipelineStep.update({
        where: { id: step.id },
        data: { externalIds: { ...ids, [REMOVED_MARK]: new Date(deps.now()).toISOString() } },
      });
    }
  }
  if (removed.length > 0) deps.log.info({ removed: removed.length, retainRuns: retain }, "earlier runs' Platform objects removed");
  return removed;
}

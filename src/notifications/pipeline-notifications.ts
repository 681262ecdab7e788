// What a pipeline's callbackUrl hears: `pipeline.queued`, `pipeline.running`, one
// `pipeline.step.started|succeeded|failed` per step change, and `pipeline.succeeded|failed|
// cancelled`. Written in the transaction of the change; thin (the receiver GETs the pipeline).
import type { DbOrTx } from '../db/client.js';
import { recordNotification } from './outbox.js';

export interface NotifiedPipeline {
  id: string;
  tenantId: string;
  callbackUrl: string | null;
}

export async function notifyPipelineStatus(tx: DbOrTx, pipeline: NotifiedPipeline, status: string, now: Date, extra: Record<string, string | null> = {}): Promise<void> {
  await recordNotification(tx, {
    tenantId: pipeline.tenantId,
    resourceType: 'pipeline',
    resourceId: pipeline.id,
    targetUrl: pipeline.callbackUrl,
    event: `pipeline.${status}`,
    data: { pipelineId: pipeline.id, status, ...extra },
    now,
  });
}

export async function notifyStepState(tx: DbOrTx, pipeline: NotifiedPipeline, step: { name: string; kind: string }, state: 'started' | 'succeeded' | 'failed', now: Date): Promise<void> {
  await recordNotification(tx, {
    tenantId: pipeline.tenantId,
    resourceType: 'pipeline',
    resourceId: pipeline.id,
    targetUrl: pipeline.callbackUrl,
    event: `pipeline.step.${state}`,
    data: { pipelineId: pipeline.id, step: step.name, kind: step.kind, state },
    now,
  });
}

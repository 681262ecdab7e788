// Prisma access for pipelines and their steps. Every query names the tenant, and every status
// change is conditional on the status it expects (compare-and-set), so the API and the worker
// never overwrite each other's transitions.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { afterKeyset, type Keyset } from '../pagination.js';
import type { PipelineDefinition } from './pipeline-definition.js';
import { activePipelineStatuses, openStepStates, type PipelineStatus } from './pipeline-status.js';

export interface NewPipeline {
  tenantId: string;
  templateId: string | null;
  name: string;
  definition: PipelineDefinition;
  parameters: Prisma.InputJsonObject | null;
  callbackUrl: string | null;
  callbackSecretSealed: string | null;
  mlPlatformUrl: string | null;
  mlPlatformTokenSealed: string | null;
  /** The schedule whose occurrence starts it. */
  scheduleId?: string | null;
}

const withSteps = { steps: { orderBy: { index: 'asc' as const } } } satisfies Prisma.PipelineInclude;
export type PipelineWithSteps = Prisma.PipelineGetPayload<{ include: typeof withSteps }>;

/** Inserts the pipeline (queued, due now) and one pending row per step. */
export async function insertPipeline(tx: DbOrTx, input: NewPipeline, now: Date) {
  const id = randomUUID();
  const row = await tx.pipeline.create({
    data: {
      id,
      tenantId: input.tenantId,
      templateId: input.templateId,
      name: input.name,
      status: 'queued',
      currentStep: 0,
      definition: input.definition as unknown as Prisma.InputJsonObject,
      parameters: input.parameters ?? Prisma.DbNull,
      callbackUrl: input.callbackUrl,
      callbackSecretSealed: input.callbackSecretSealed,
      mlPlatformUrl: input.mlPlatformUrl,
      mlPlatformTokenSealed: input.mlPlatformTokenSealed,
      scheduleId: input.scheduleId ?? null,
      nextCheckAt: now,
    },
  });
  await tx.pipelineStep.createMany({
    data: input.definition.steps.map((step, index) => ({
      id: randomUUID(),
      pipelineId: id,
      index,
      name: step.name,
      kind: step.kind,
      state: 'pending',
      outputs: {},
      externalIds: {},
    })),
  });
  return row;
}

export async function findPipeline(db: DbOrTx, tenantId: string, id: string): Promise<PipelineWithSteps | null> {
  return db.pipeline.findFirst({ where: { id, tenantId }, include: withSteps });
}

export interface PipelineFilters {
  statuses?: PipelineStatus[];
  templateId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

export async function listPipelines(db: DbOrTx, tenantId: string, filters: PipelineFilters, page: { limit: number; after?: Keyset }) {
  const createdAt =
    filters.createdAfter || filters.createdBefore
      ? { ...(filters.createdAfter ? { gte: filters.createdAfter } : {}), ...(filters.createdBefore ? { lt: filters.createdBefore } : {}) }
      : undefined;
  return db.pipeline.findMany({
    where: {
      AND: [
        {
          tenantId,
          ...(filters.statuses ? { status: { in: filters.statuses } } : {}),
          ...(filters.templateId ? { templateId: filters.templateId } : {}),
          ...(createdAt ? { createdAt } : {}),
        },
        afterKeyset(page.after),
      ],
    },
    include: withSteps,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
}

/** Active -> cancelled; the step being worked on becomes `cancelling` (the worker stops its external work). */
export async function markPipelineCancelled(tx: DbOrTx, tenantId: string, id: string, now: Date): Promise<boolean> {
  const { count } = await tx.pipeline.updateMany({
    where: { id, tenantId, status: { in: [...activePipelineStatuses] } },
    data: { status: 'cancelled', finishedAt: now, nextCheckAt: now },
  });
  if (count === 1) {
    await tx.pipelineStep.updateMany({ where: { pipelineId: id, state: { in: [...openStepStates] } }, data: { state: 'cancelling' } });
    await tx.pipelineStep.updateMany({ where: { pipelineId: id, state: 'pending' }, data: { state: 'cancelled' } });
  }
  return count === 1;
}

/**
 * failed -> queued, restarting at the failed step: its state, outputs, ids and error are cleared
 * and its generation bumped, so its external objects get new deterministic names.
 */
export async function requeueFailedPipeline(tx: DbOrTx, tenantId: string, id: string, now: Date): Promise<number | null> {
  const failed = await tx.pipelineStep.findFirst({ where: { pipelineId: id, state: 'failed', pipeline: { tenantId } }, orderBy: { index: 'asc' } });
  if (failed === null) return null;
  const { count } = await tx.pipeline.updateMany({
    where: { id, tenantId, status: 'failed' },
    data: { status: 'queued', currentStep: failed.index, error: Prisma.DbNull, finishedAt: null, deadlineAt: null, nextCheckAt: now },
  });
  if (count !== 1) return null;
  await tx.pipelineStep.update({
    where: { id: failed.id },
    data: {
      state: 'pending',
      outputs: {},
      externalIds: {},
      error: Prisma.DbNull,
      generation: { increment: 1 },
      webhookSecretSealed: null,
      lastCallbackAt: null,
      startedAt: null,
      finishedAt: null,
    },
  });
  return failed.index;
}

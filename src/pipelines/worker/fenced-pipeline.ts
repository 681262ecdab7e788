// Compare-and-set writes to one pipeline row (src/jobs/fencing.ts):
// a claim bumps `attempts`; every later write names the attempts value and the status this
// activation expects, so a write after a cancel (status changed by the API) or after another
// activation claimed the row touches nothing, and the activation stops (LostClaimError).
import type { Db, DbOrTx } from '../../db/client.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { LostClaimError } from '../../jobs/fencing.js';
import { notifyPipelineStatus } from '../../notifications/pipeline-notifications.js';
import { isActivePipelineStatus, type PipelineStatus } from '../pipeline-status.js';
import type { LoadedPipeline } from './pipeline-model.js';

export type PipelinePatch = Omit<Prisma.PipelineUncheckedUpdateManyInput, 'id' | 'attempts' | 'tenantId'> & { status?: PipelineStatus };
export type StepPatch = Omit<Prisma.PipelineStepUncheckedUpdateManyInput, 'id' | 'pipelineId' | 'index'>;

export class FencedPipeline {
  constructor(
    readonly id: string,
    readonly attempts: number,
    private currentStatus: PipelineStatus,
  ) {}

  get status(): PipelineStatus {
    return this.currentStatus;
  }

  private get fence() {
    return { id: this.id, attempts: this.attempts, status: this.currentStatus };
  }

  /** Writes `patch` only if the row is still as this activation left it; else LostClaimError. */
  async update(db: DbOrTx, patch: PipelinePatch): Promise<void> {
    const { count } = await db.pipeline.updateMany({ where: this.fence, data: patch });
    if (count !== 1) throw new LostClaimError(`pipeline ${this.id} changed under this activation`);
    if (patch.status !== undefined) this.currentStatus = patch.status;
  }

  /** Writes one of this pipeline's steps, only while this activation still owns the pipeline. */
  async updateStep(db: DbOrTx, stepId: string, patch: StepPatch): Promise<void> {
    const { count } = await db.pipelineStep.updateMany({ where: { id: stepId, pipeline: { is: this.fence } }, data: patch });
    if (count !== 1) throw new LostClaimError(`pipeline ${this.id} changed under this activation`);
  }
}

/**
 * Claims an active pipeline: status -> running, attempts + 1, a deadline and start time set if
 * none are. A pipeline picked up for the first time tells its callbackUrl (`pipeline.running`).
 * Returns null when the row moved since it was read.
 */
export async function claimPipeline(db: Db, row: LoadedPipeline, deadlineAt: Date, now: Date): Promise<FencedPipeline | null> {
  if (!isActivePipelineStatus(row.status)) return null;
  const first = row.status === 'queued';
  const claimed = await db.$transaction(async (tx) => {
    const { count } = await tx.pipeline.updateMany({
      where: { id: row.id, attempts: row.attempts, status: row.status },
      data: {
        status: 'running',
        attempts: { increment: 1 },
        ...(row.deadlineAt === null ? { deadlineAt } : {}),
        ...(row.startedAt === null ? { startedAt: now } : {}),
      },
    });
    if (count !== 1) return false;
    if (first) await notifyPipelineStatus(tx, row, 'running', now);
    return true;
  });
  if (!claimed) return null;
  row.status = 'running';
  row.attempts += 1;
  if (row.deadlineAt === null) row.deadlineAt = deadlineAt;
  if (row.startedAt === null) row.startedAt = now;
  return new FencedPipeline(row.id, row.attempts, 'running');
}

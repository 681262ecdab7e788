// Compare-and-set writes to one export row. A claim bumps `claims`; every later write names the
// claims value and the status this activation expects, so a write after a cancel (status changed
// by the API) or after another activation claimed the row (claims changed) touches nothing and
// the activation stops instead of overwriting newer state. (`attempts` is not the fence: it
// counts failed calls, and a poll of a healthy recurring export is a claim, not a failure.)
import type { Db, DbOrTx } from '../../db/client.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { LostClaimError } from '../../jobs/fencing.js';
import { notifyExportStatus, withNotificationTx } from '../../notifications/export-notifications.js';
import { activeStatuses, type ExportStatus, type ExportStep, type LoadedExport } from './export-model.js';

export type ExportPatch = Omit<Prisma.ExportUncheckedUpdateManyInput, 'id' | 'claims' | 'tenantId'> & { status?: ExportStatus };

export class FencedExport {
  /** A step the pass moved to and has not written yet (see stageStep). */
  private stagedStep: ExportStep | undefined;

  constructor(
    readonly id: string,
    readonly claims: number,
    private currentStatus: ExportStatus,
  ) {}

  get status(): ExportStatus {
    return this.currentStatus;
  }

  /**
   * Notes the step the pass moved to without a write of its own: it goes out with the row's next
   * write (a wait, the finish, a failure) or before the next Platform write (saveStep). A pass
   * through steps that only find their work done costs no write per step; a crash meanwhile
   * resumes at an earlier step, which finds the same work done (workflow.ts).
   */
  stageStep(step: ExportStep): void {
    this.stagedStep = step;
  }

  /** Writes a staged step now: a step saves itself before it writes at the Platform, so a crash there resumes at it. */
  async saveStep(db: DbOrTx): Promise<void> {
    if (this.stagedStep !== undefined) await this.update(db, {});
  }

  /** Writes `patch` (with a staged step) only if the row is still as this activation left it; else LostClaimError. */
  async update(db: DbOrTx, patch: ExportPatch): Promise<void> {
    if (!(await this.updateIf(db, patch, {}))) throw new LostClaimError(`export ${this.id} changed under this activation`);
  }

  /** Like update, but only where `where` holds too; false when nothing was written (the caller finds out why). */
  async updateIf(db: DbOrTx, patch: ExportPatch, where: Prisma.ExportWhereInput): Promise<boolean> {
    const data = this.stagedStep !== undefined && patch.step === undefined ? { ...patch, step: this.stagedStep } : patch;
    const { count } = await db.export.updateMany({
      where: { ...where, id: this.id, claims: this.claims, status: this.currentStatus },
      data,
    });
    if (count !== 1) return false;
    this.stagedStep = undefined;
    if (patch.status !== undefined) this.currentStatus = patch.status;
    return true;
  }
}

/**
 * A paused recurring export is still watched: runs the Platform started before its flow was
 * disabled finish, and are recorded and announced then, not only after a resume.
 */
export function isWatchingWhilePaused(row: Pick<LoadedExport, 'status' | 'step' | 'schedule'>): boolean {
  return row.status === 'paused' && row.step === 'watch_runs' && row.schedule !== null;
}

/**
 * Claims an active export for this activation: status -> running (an `active` one stays active),
 * claims + 1, a deadline set if none is. Returns null when the row moved since it was read (a
 * concurrent claim or cancel).
 */
export async function claimExport(db: Db, row: LoadedExport, deadlineAt: Date): Promise<FencedExport | null> {
  if (!(activeStatuses as readonly string[]).includes(row.status) && !isWatchingWhilePaused(row)) return null;
  // A recurring export watching its runs stays `active` (or `paused`) while claimed: polling is not news.
  const claimedStatus = row.status === 'active' || row.status === 'paused' ? row.status : 'running';
  // A first pick-up tells the callbackUrl (outbox row in the same transaction as the claim).
  const notifies = row.status === 'queued';
  const count = await withNotificationTx(db, notifies ? row : null, async (tx) => {
    const claimed = await tx.export.updateMany({
      where: { id: row.id, claims: row.claims, status: row.status },
      data: { status: claimedStatus, claims: { increment: 1 }, ...(row.deadlineAt === null ? { deadlineAt } : {}) },
    });
    if (claimed.count === 1 && notifies) await notifyExportStatus(tx, row, 'running', new Date());
    return claimed.count;
  });
  if (count !== 1) return null;
  row.status = claimedStatus;
  row.claims += 1;
  if (row.deadlineAt === null) row.deadlineAt = deadlineAt;
  return new FencedExport(row.id, row.claims, claimedStatus);
}

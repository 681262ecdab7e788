// What an export's callbackUrl hears: `export.running` when a worker first picks it up, then
// `export.succeeded|failed|timed_out|cancelled`. Written by the export worker in the transaction
// of the change (the waiting <-> running back and forth of polling is not reported). A recurring
// export also says `export.active`, `export.paused`, `export.ended`, and `export.run.succeeded|failed`
// once per run its schedule started.
import type { Db, DbOrTx } from '../db/client.js';
import { recordNotification } from './outbox.js';

export interface NotifiedExport {
  id: string;
  tenantId: string;
  callbackUrl: string | null;
}

/**
 * Runs a write that may record a notification: in a transaction when `notified` has a callbackUrl
 * (the outbox row commits with the change), else straight on `db` (nothing is recorded, so one
 * statement needs no BEGIN and COMMIT around it). Null: the write notifies nobody.
 */
export async function withNotificationTx<T>(db: Db, notified: Pick<NotifiedExport, 'callbackUrl'> | null, write: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return notified?.callbackUrl == null ? write(db) : db.$transaction(write);
}

export async function notifyExportStatus(tx: DbOrTx, exp: NotifiedExport, status: string, now: Date, extra: Record<string, string | null> = {}): Promise<void> {
  await recordNotification(tx, {
    tenantId: exp.tenantId,
    resourceType: 'export',
    resourceId: exp.id,
    targetUrl: exp.callbackUrl,
    event: `export.${status}`,
    data: { exportId: exp.id, status, ...extra },
    now,
  });
}

export interface NotifiedRun {
  id: string;
  platformRunId: string | null;
  state: 'succeeded' | 'failed';
  files: number | null;
  records: bigint | null;
  bytes: bigint | null;
  errors: { code?: string; message?: string }[];
}

/**
 * `export.run.succeeded|failed`: one per finished run of a recurring export, written in the
 * transaction that records the run as finished (so each run is announced exactly once).
 */
export async function notifyExportRun(tx: DbOrTx, exp: NotifiedExport, run: NotifiedRun, now: Date): Promise<void> {
  const count = (n: bigint | null) => (n === null ? null : Number(n));
  await recordNotification(tx, {
    tenantId: exp.tenantId,
    resourceType: 'export',
    resourceId: exp.id,
    targetUrl: exp.callbackUrl,
    event: `export.run.${run.state}`,
    data: {
      exportId: exp.id,
      runId: run.id,
      platformRunId: run.platformRunId,
      state: run.state,
      files: run.files,
      records: count(run.records),
      bytes: count(run.bytes),
      errors: run.errors.map((e) => ({ code: e.code ?? null, message: e.message ?? null })),
    },
    now,
  });
}

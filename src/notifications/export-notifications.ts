// What an export's callbackUrl hears: `export.running` when a worker first picks it up, then
// `export.succeeded|failed|timed_out|cancelled`. Written by the export worker in the transaction
// of the change (the waiting <-> running back and forth of polling is not reported).
import type { DbOrTx } from '../db/client.js';
import { recordNotification } from './outbox.js';

export interface NotifiedExport {
  id: string;
  tenantId: string;
  callbackUrl: string | null;
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

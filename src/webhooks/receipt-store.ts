// Replay protection for inbound webhooks, in Postgres: one row per (source, webhook id), inserted
// with ON CONFLICT DO NOTHING so two concurrent deliveries of one id cannot both be accepted.
// Rows are kept until their expiry (at least 10 minutes: the ±5 minute window plus margin).
import type { Db, DbOrTx } from '../db/client.js';
import type { WebhookReplayGuard } from './standard-webhooks.js';

export const MIN_RECEIPT_RETENTION_MS = 10 * 60_000;

export function postgresReplayGuard(db: Db, source: string, now: () => number = Date.now): WebhookReplayGuard {
  return {
    async remember(id, expiresAtMs) {
      const expiresAt = new Date(Math.max(expiresAtMs, now() + MIN_RECEIPT_RETENTION_MS));
      const inserted = await db.webhookReceipt.createMany({ data: [{ source, webhookId: id, expiresAt }], skipDuplicates: true });
      return inserted.count === 1;
    },
  };
}

export async function deleteExpiredReceipts(db: DbOrTx, now: Date): Promise<number> {
  const { count } = await db.webhookReceipt.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}

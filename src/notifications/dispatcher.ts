// The worker's notification dispatcher: every `pollMs` it leases due outbox rows (FOR UPDATE SKIP
// LOCKED plus a pushed-out next attempt, so several workers never send one row at once), sends
// each once and records the outcome: delivered, gone (410), failed (blocked address, or attempts
// used up) or pending again after the retry schedule's next delay.
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { NotificationDelivery } from '../generated/prisma/client.js';
import { createSsrfGuard, type SsrfGuard } from '../security/ssrf.js';
import { attemptDelivery, type AttemptResult } from './delivery.js';
import { signingSecretFor } from './notification-secrets.js';
import { nextAttemptDelayMs } from './retry-schedule.js';

export interface DispatcherOptions {
  pollMs: number;
  retryInitialMs: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Local development only: deliver to private and loopback addresses. */
  allowPrivate: boolean;
  batchSize?: number;
}

/** Leases due rows: their next attempt moves past the delivery timeout while this worker sends them. */
export async function leaseDueDeliveries(db: Db, batchSize: number, leaseMs: number): Promise<NotificationDelivery[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH due AS (
      SELECT id FROM notification_deliveries
      WHERE state = 'pending' AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE notification_deliveries SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}::double precision)
    FROM due WHERE notification_deliveries.id = due.id
    RETURNING notification_deliveries.id::text AS id`;
  if (rows.length === 0) return [];
  return db.notificationDelivery.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { createdAt: 'asc' } });
}

export async function deliverOnce(db: Db, secrets: SecretBox, guard: SsrfGuard, delivery: NotificationDelivery, options: DispatcherOptions, log: Logger, now = Date.now()): Promise<void> {
  const attempts = delivery.attempts + 1;
  const secret = await signingSecretFor(db, secrets, delivery);
  const result: AttemptResult = secret === null ? { kind: 'retry', error: 'no signing secret yet: POST /notification-secret creates the tenant\'s' } : await attemptDelivery(delivery, secret, guard, { timeoutMs: options.timeoutMs, now });
  const where = { id: delivery.id, state: 'pending' };
  switch (result.kind) {
    case 'delivered':
      await db.notificationDelivery.updateMany({ where, data: { state: 'delivered', attempts, lastStatus: result.status, lastError: null, deliveredAt: new Date() } });
      log.debug({ deliveryId: delivery.id, event: delivery.event }, 'notification delivered');
      return;
    case 'gone':
      await db.notificationDelivery.updateMany({ where, data: { state: 'gone', attempts, lastStatus: result.status, lastError: 'the endpoint answered 410 Gone' } });
      log.info({ deliveryId: delivery.id }, 'notification endpoint gone (410); not retried');
      return;
    case 'blocked':
      await db.notificationDelivery.updateMany({ where, data: { state: 'failed', attempts, lastError: `blocked: ${result.error}` } });
      log.warn({ deliveryId: delivery.id, error: result.error }, 'notification target refused by the SSRF guard');
      return;
    case 'retry': {
      const exhausted = attempts >= options.maxAttempts;
      const delayMs = nextAttemptDelayMs(attempts, options.retryInitialMs, Math.random, result.retryAfterMs);
      await db.notificationDelivery.updateMany({
        where,
        data: {
          state: exhausted ? 'failed' : 'pending',
          attempts,
          lastError: result.error,
          ...(result.status === undefined ? {} : { lastStatus: result.status }),
          ...(exhausted ? {} : { nextAttemptAt: new Date(now + delayMs) }),
        },
      });
      log.info({ deliveryId: delivery.id, attempts, exhausted, error: result.error }, exhausted ? 'notification given up' : 'notification will be retried');
      return;
    }
  }
}

export interface RunningDispatcher {
  stop(): Promise<void>;
}

export function startNotificationDispatcher(db: Db, secrets: SecretBox, options: DispatcherOptions, log: Logger): RunningDispatcher {
  const guard = createSsrfGuard({ allowPrivate: options.allowPrivate });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = (async () => {
      const due = await leaseDueDeliveries(db, options.batchSize ?? 20, options.timeoutMs * 2);
      await Promise.all(due.map((delivery) => deliverOnce(db, secrets, guard, delivery, options, log)));
    })()
      .catch((err: unknown) => log.warn({ err }, 'notification dispatch failed; will try again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.pollMs);
      });
  };
  timer = setTimeout(tick, options.pollMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await guard.close();
    },
  };
}

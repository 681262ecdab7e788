// The notification outbox: a state change that a callbackUrl should hear about writes one row here
// in the same transaction as the change itself, so a notification is never lost (the change
// committed) nor sent for a change that rolled back. The worker's dispatcher delivers the rows.
// Payloads are thin Standard Webhooks events: `{type, timestamp, data:{id, status, ...}}`.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';

export const notifiedResources = ['export', 'pipeline'] as const;
export type NotifiedResource = (typeof notifiedResources)[number];

/** A delivery's life: pending until delivered, gone (410) or failed (blocked, or attempts used up). */
export const deliveryStates = ['pending', 'delivered', 'failed', 'gone'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

export interface NotificationInput {
  tenantId: string;
  resourceType: NotifiedResource;
  resourceId: string;
  /** No row is written without a target. */
  targetUrl: string | null;
  /** e.g. pipeline.step.succeeded, export.failed */
  event: string;
  data: Prisma.InputJsonObject;
  now: Date;
}

export async function recordNotification(tx: DbOrTx, input: NotificationInput): Promise<void> {
  if (input.targetUrl === null) return;
  await tx.notificationDelivery.create({
    data: {
      id: randomUUID(),
      tenantId: input.tenantId,
      resourceType: input.resourceType,
      resourceId: input.resourceId,
      targetUrl: input.targetUrl,
      event: input.event,
      payload: { type: input.event, timestamp: input.now.toISOString(), data: input.data },
      state: 'pending',
      nextAttemptAt: input.now,
    },
  });
}

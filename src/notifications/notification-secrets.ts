// Signing secrets of outbound notifications: a pipeline's own (created with it, returned once in
// the answer to POST /pipelines), else the tenant's (POST /notification-secret returns a new one
// once and replaces the previous). A delivery without any secret is never sent unsigned.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, DbOrTx } from '../db/client.js';
import { generateWebhookSecret } from '../webhooks/standard-webhooks.js';

export async function rotateTenantNotificationSecret(db: DbOrTx, secrets: SecretBox, tenantId: string): Promise<string> {
  const secret = generateWebhookSecret();
  await db.tenant.update({ where: { id: tenantId }, data: { notificationSecretSealed: secrets.seal(secret) } });
  return secret;
}

/** The secret signing a delivery of this resource, or null when none exists yet. */
export async function signingSecretFor(db: Db, secrets: SecretBox, delivery: { tenantId: string; resourceType: string; resourceId: string }): Promise<string | null> {
  if (delivery.resourceType === 'pipeline') {
    const pipeline = await db.pipeline.findUnique({ where: { id: delivery.resourceId }, select: { callbackSecretSealed: true } });
    if (pipeline?.callbackSecretSealed) return secrets.open(pipeline.callbackSecretSealed);
  }
  const tenant = await db.tenant.findUnique({ where: { id: delivery.tenantId }, select: { notificationSecretSealed: true } });
  return tenant?.notificationSecretSealed ? secrets.open(tenant.notificationSecretSealed) : null;
}

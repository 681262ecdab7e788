// Prisma access for tenants and their API keys.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import type { ApiKeyRole, IssuedApiKey } from './api-keys.js';

export type PlatformTargetName = 'simulator' | 'prod' | 'stage';

export interface NewTenant {
  name: string;
  platformTarget: PlatformTargetName;
  imsOrgId: string;
  sandboxName: string;
  clientId: string;
  clientSecretSealed: string;
  scopes: string;
  allowSensitiveLabels: boolean;
}

export async function createTenant(db: DbOrTx, tenant: NewTenant) {
  return db.tenant.create({ data: { id: randomUUID(), ...tenant } });
}

export async function findTenantByName(db: DbOrTx, name: string) {
  return db.tenant.findUnique({ where: { name } });
}

export async function findTenant(db: DbOrTx, id: string) {
  return db.tenant.findUnique({ where: { id } });
}

export async function storeApiKey(db: DbOrTx, tenantId: string, issued: IssuedApiKey, role: ApiKeyRole, name: string) {
  return db.apiKey.create({
    data: { id: randomUUID(), tenantId, name, role, prefix: issued.prefix, secretHash: issued.secretHash },
  });
}

export async function findApiKeyByPrefix(db: DbOrTx, prefix: string) {
  return db.apiKey.findUnique({ where: { prefix } });
}

export async function revokeApiKey(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const { count } = await db.apiKey.updateMany({ where: { id, tenantId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count === 1;
}

// Prisma access for tenants and their API keys.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import { afterKeyset, type Keyset } from '../pagination.js';
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

/** Every tenant, newest first, one page (plus one row to tell whether another page exists). */
export async function listTenants(db: DbOrTx, page: { limit: number; after?: Keyset }) {
  return db.tenant.findMany({ where: afterKeyset(page.after), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit + 1 });
}

/** The fields an admin may change after creation (the org, sandbox and target stay). */
export interface TenantChanges {
  clientId?: string;
  clientSecretSealed?: string;
  scopes?: string;
  allowSensitiveLabels?: boolean;
}

export async function updateTenant(db: DbOrTx, id: string, changes: TenantChanges) {
  const { count } = await db.tenant.updateMany({ where: { id }, data: changes });
  return count === 1 ? findTenant(db, id) : null;
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

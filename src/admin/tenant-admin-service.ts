// Admin use cases: create a tenant with its Platform settings (client secret sealed) and a first
// API key, issue more keys, revoke keys. Plus the caller's own tenant, without its secret.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { Prisma, type ApiKey, type Tenant } from '../generated/prisma/client.js';
import { issueApiKey, type IssuedApiKey } from '../tenants/api-keys.js';
import { pageOf, type Keyset } from '../pagination.js';
import { createTenant, findTenant, listTenants, storeApiKey, updateTenant } from '../tenants/tenant-store.js';
import type {
  CreateApiKeyBody,
  CreateTenantBody,
  IssuedApiKeyView,
  RotateApiKeyBody,
  RotatedApiKeyView,
  TenantView,
  UpdateTenantBody,
} from './admin-schemas.js';
import { platformTargets } from './admin-schemas.js';
import { findApiKeyById, revokeApiKeyById } from './admin-store.js';

export function presentTenant(row: Tenant): TenantView {
  const target = platformTargets.find((t) => t === row.platformTarget);
  if (!target) throw new Error(`tenant ${row.id} has unknown platform target ${row.platformTarget}`);
  return {
    id: row.id,
    name: row.name,
    platform: {
      target,
      imsOrgId: row.imsOrgId,
      sandbox: row.sandboxName,
      clientId: row.clientId,
      scopes: row.scopes.split(',').map((s) => s.trim()).filter(Boolean),
      hasClientSecret: row.clientSecretSealed !== '',
    },
    allowSensitiveLabels: row.allowSensitiveLabels,
    createdAt: row.createdAt.toISOString(),
  };
}

function presentIssuedKey(row: ApiKey, issued: IssuedApiKey): IssuedApiKeyView {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    role: row.role === 'admin' ? 'admin' : 'tenant',
    prefix: row.prefix,
    key: issued.key,
    createdAt: row.createdAt.toISOString(),
  };
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

export interface TenantAdminServiceDeps {
  db: Db;
  secrets: SecretBox;
  /** Drops this process's cache of validated keys, so a revocation takes effect at once. */
  forgetApiKeys: () => void;
  /** Drops this process's cached tenant row, so a changed setting takes effect at once here. */
  forgetTenant: (tenantId: string) => void;
}

export function createTenantAdminService({ db, secrets, forgetApiKeys, forgetTenant }: TenantAdminServiceDeps) {
  return {
    async createTenant(body: CreateTenantBody): Promise<{ tenant: TenantView; apiKey: IssuedApiKeyView }> {
      const issued = issueApiKey();
      try {
        return await db.$transaction(async (tx) => {
          const tenant = await createTenant(tx, {
            name: body.name,
            platformTarget: body.platform.target,
            imsOrgId: body.platform.imsOrgId,
            sandboxName: body.platform.sandbox,
            clientId: body.platform.clientId,
            clientSecretSealed: secrets.seal(body.platform.clientSecret),
            scopes: body.platform.scopes.join(','),
            allowSensitiveLabels: body.allowSensitiveLabels,
          });
          const key = await storeApiKey(tx, tenant.id, issued, body.apiKey.role, body.apiKey.name);
          return { tenant: presentTenant(tenant), apiKey: presentIssuedKey(key, issued) };
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new AppError('conflict', `A tenant named ${body.name} already exists.`, {
            errors: [{ location: 'body', pointer: '/name', message: 'is taken' }],
          });
        }
        throw error;
      }
    },

    async list(query: { limit: number; cursor?: Keyset | undefined }): Promise<{ items: TenantView[]; nextCursor: string | null }> {
      const rows = await listTenants(db, { limit: query.limit, ...(query.cursor ? { after: query.cursor } : {}) });
      const { items, nextCursor } = pageOf(rows, query.limit);
      return { items: items.map(presentTenant), nextCursor };
    },

    async get(tenantId: string): Promise<TenantView> {
      const tenant = await findTenant(db, tenantId);
      if (!tenant) throw notFound('Tenant', tenantId);
      return presentTenant(tenant);
    },

    /** Changes the OAuth credential or the PSPD/RHD allowance; the next Platform call uses them. */
    async update(tenantId: string, body: UpdateTenantBody): Promise<TenantView> {
      const { platform } = body;
      const updated = await updateTenant(db, tenantId, {
        ...(platform?.clientId !== undefined ? { clientId: platform.clientId } : {}),
        ...(platform?.clientSecret !== undefined ? { clientSecretSealed: secrets.seal(platform.clientSecret) } : {}),
        ...(platform?.scopes !== undefined ? { scopes: platform.scopes.join(',') } : {}),
        ...(body.allowSensitiveLabels !== undefined ? { allowSensitiveLabels: body.allowSensitiveLabels } : {}),
      });
      if (!updated) throw notFound('Tenant', tenantId);
      forgetTenant(tenantId);
      return presentTenant(updated);
    },

    async issueKey(tenantId: string, body: CreateApiKeyBody): Promise<IssuedApiKeyView> {
      if (!(await findTenant(db, tenantId))) throw notFound('Tenant', tenantId);
      const issued = issueApiKey();
      const row = await storeApiKey(db, tenantId, issued, body.role, body.name);
      return presentIssuedKey(row, issued);
    },

    /**
     * Issues a new key for the same tenant, role and name, and revokes the old one after the overlap
     * (at once by default), in one transaction. A revoked key cannot be rotated.
     */
    async rotateKey(id: string, body: RotateApiKeyBody, now = new Date()): Promise<RotatedApiKeyView> {
      const issued = issueApiKey();
      const revokeAt = new Date(now.getTime() + body.overlapSeconds * 1000);
      const result = await db.$transaction(async (tx) => {
        const old = await findApiKeyById(tx, id);
        if (!old) throw notFound('API key', id);
        if (old.revokedAt && old.revokedAt <= now) throw new AppError('conflict', `API key ${id} is revoked; issue a new key instead.`);
        const row = await storeApiKey(tx, old.tenantId, issued, old.role === 'admin' ? 'admin' : 'tenant', old.name);
        await revokeApiKeyById(tx, id, revokeAt);
        const replaced = await findApiKeyById(tx, id);
        return { row, replacedKeyRevokedAt: replaced?.revokedAt ?? revokeAt };
      });
      forgetApiKeys();
      return { ...presentIssuedKey(result.row, issued), replacedKeyId: id, replacedKeyRevokedAt: result.replacedKeyRevokedAt.toISOString() };
    },

    async revokeKey(id: string): Promise<void> {
      if (!(await findApiKeyById(db, id))) throw notFound('API key', id);
      await revokeApiKeyById(db, id, new Date());
      forgetApiKeys();
    },
  };
}

export type TenantAdminService = ReturnType<typeof createTenantAdminService>;

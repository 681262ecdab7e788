// Tenant rows for the hot accept path, kept a few seconds (like validated API keys in the auth
// plugin). PATCH /admin/tenants/:id drops the row in the process that served it; other API
// processes see the change within the TTL.
import type { Db } from '../db/client.js';
import { findTenant } from './tenant-store.js';

export type TenantRow = NonNullable<Awaited<ReturnType<typeof findTenant>>>;

export interface TenantCache {
  /** The tenant, or null when it does not exist (absence is not cached). */
  get(tenantId: string): Promise<TenantRow | null>;
  /** Drops the cached row (after the tenant changed). */
  forget(tenantId: string): void;
}

export function createTenantCache(db: Db, ttlMs = 5000, now: () => number = Date.now): TenantCache {
  const entries = new Map<string, { tenant: TenantRow; until: number }>();
  return {
    async get(tenantId) {
      const cached = entries.get(tenantId);
      if (cached && cached.until > now()) return cached.tenant;
      const tenant = await findTenant(db, tenantId);
      if (tenant === null) {
        entries.delete(tenantId);
        return null;
      }
      if (entries.size > 10_000) entries.clear();
      entries.set(tenantId, { tenant, until: now() + ttlMs });
      return tenant;
    },
    forget(tenantId) {
      entries.delete(tenantId);
    },
  };
}

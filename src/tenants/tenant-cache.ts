// Tenant rows for the hot accept path, kept a few seconds (like validated API keys in the auth
// plugin). PATCH /admin/tenants/:id drops the row in the process that served it; other API
// processes see the change within the TTL. One read per tenant at a time, refreshed ahead of expiry
// (src/runtime/refresh-ahead-cache.ts), so a busy tenant's accepts never all wait on it at once.
import type { Db } from '../db/client.js';
import { createRefreshAheadCache } from '../runtime/refresh-ahead-cache.js';
import { findTenant } from './tenant-store.js';

export type TenantRow = NonNullable<Awaited<ReturnType<typeof findTenant>>>;

export interface TenantCache {
  /** The tenant, or null when it does not exist (absence is not cached). */
  get(tenantId: string): Promise<TenantRow | null>;
  /** Drops the cached row (after the tenant changed). */
  forget(tenantId: string): void;
}

export function createTenantCache(db: Db, ttlMs = 5000, now: () => number = Date.now): TenantCache {
  const rows = createRefreshAheadCache<TenantRow | null>({ ttlMs, now, lifetimeMs: (tenant) => (tenant === null ? 0 : ttlMs) });
  return {
    get: (tenantId) => rows.get(tenantId, () => findTenant(db, tenantId)),
    forget: (tenantId) => rows.delete(tenantId),
  };
}

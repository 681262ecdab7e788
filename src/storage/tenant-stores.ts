// Wires the store factory for a process: DLZ credentials come from each tenant's Platform client
// (cached until shortly before expiry), everything else from the destination's sealed credentials.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { Tenant } from '../generated/prisma/client.js';
import type { PlatformClient } from '../platform/client.js';
import { createDlzCredentialCache } from './dlz-credential-cache.js';
import { createStoreFactory, StoreOpenError, type StoreFactory } from './store-factory.js';
import type { StorageEndpoints } from './storage-endpoints.js';

export interface TenantStoresDeps {
  db: Db;
  secrets: SecretBox;
  endpoints: StorageEndpoints;
  platformFor(tenant: Tenant): Pick<PlatformClient, 'getLandingZoneCredentials'>;
}

export function createTenantStoreFactory(deps: TenantStoresDeps): StoreFactory {
  const dlz = createDlzCredentialCache(async (tenantId, type) => {
    const tenant = await deps.db.tenant.findUnique({ where: { id: tenantId } });
    if (tenant === null) throw new StoreOpenError(`Tenant ${tenantId} does not exist.`);
    return deps.platformFor(tenant).getLandingZoneCredentials(type);
  });
  return createStoreFactory({ endpoints: deps.endpoints, secrets: deps.secrets, dlz });
}

// The first tenant and admin key of an installation: `npm start` makes the local tenant bound to
// the simulator, and `admin bootstrap` (src/admin/admin-cli.ts) makes an operator tenant for a
// deployment. Both are idempotent and safe to run concurrently: a transaction-scoped advisory lock
// serialises them, so two runs never issue two first keys.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { apiKeyFromString, issueApiKey } from './api-keys.js';
import { createTenant, findApiKeyByPrefix, findTenantByName, storeApiKey } from './tenant-store.js';

export const localTenantName = 'local';
const notebookScopes = 'openid,AdobeID,read_organizations,additional_info.projectedProductContext,session';
/** pg_advisory_xact_lock key of bootstrapping ("aepjboot"). */
const bootstrapLockKey = 0x6165706a626f6f74n;

export interface SimulatorClient {
  clientId: string;
  clientSecret: string;
  orgId: string;
  sandbox: string;
}

export interface BootstrapResult {
  tenantId: string;
  /** The whole key, when this call created it or it was configured; absent when one already existed. */
  apiKey?: string;
  /** The prefix of the admin key the tenant already had, when nothing was created. */
  existingKeyPrefix?: string;
}

/**
 * Ensures the tenant `name` exists, bound to the simulator client, with an admin key: the
 * configured one (stored if absent), else a new one only when the tenant has no usable admin key.
 */
export async function bootstrapTenant(
  db: Db,
  secrets: SecretBox,
  name: string,
  client: SimulatorClient,
  configuredKey?: string,
  options: { issueAnother?: boolean } = {},
): Promise<BootstrapResult> {
  const configured = configuredKey === undefined ? undefined : apiKeyFromString(configuredKey);
  if (configuredKey !== undefined && !configured) {
    throw new Error('BOOTSTRAP_API_KEY must look like aepj_<12 lowercase letters or digits>_<43 base64url characters>');
  }
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${bootstrapLockKey})`;
    const tenant =
      (await findTenantByName(tx, name)) ??
      (await createTenant(tx, {
        name,
        platformTarget: 'simulator',
        imsOrgId: client.orgId,
        sandboxName: client.sandbox,
        clientId: client.clientId,
        clientSecretSealed: secrets.seal(client.clientSecret),
        scopes: notebookScopes,
        allowSensitiveLabels: false,
      }));
    if (configured && configuredKey) {
      if (!(await findApiKeyByPrefix(tx, configured.prefix))) await storeApiKey(tx, tenant.id, configured, 'admin', 'bootstrap');
      return { tenantId: tenant.id, apiKey: configuredKey };
    }
    const existing = await tx.apiKey.findFirst({
      where: { tenantId: tenant.id, role: 'admin', OR: [{ revokedAt: null }, { revokedAt: { gt: new Date() } }] },
      orderBy: { createdAt: 'asc' },
    });
    if (existing && !options.issueAnother) return { tenantId: tenant.id, existingKeyPrefix: existing.prefix };
    const issued = issueApiKey();
    await storeApiKey(tx, tenant.id, issued, 'admin', 'bootstrap');
    return { tenantId: tenant.id, apiKey: issued.key };
    // A run may wait for a concurrent one's lock; Prisma's 5 s default would fail it for that.
  }, { maxWait: 30_000, timeout: 60_000 });
}

/** `npm start`: the local tenant bound to the simulator; returns a usable key when one was created or configured. */
export async function bootstrapLocalTenant(db: Db, secrets: SecretBox, client: SimulatorClient, configuredKey?: string): Promise<BootstrapResult> {
  return bootstrapTenant(db, secrets, localTenantName, client, configuredKey);
}

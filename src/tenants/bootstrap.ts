// Local default: a tenant bound to the simulator, and an admin key to call the API with.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { apiKeyFromString, issueApiKey } from './api-keys.js';
import { createTenant, findApiKeyByPrefix, findTenantByName, storeApiKey } from './tenant-store.js';

export const localTenantName = 'local';
const notebookScopes = 'openid,AdobeID,read_organizations,additional_info.projectedProductContext,session';

export interface SimulatorClient {
  clientId: string;
  clientSecret: string;
  orgId: string;
  sandbox: string;
}

/** Ensures the local tenant exists; returns a usable key when one was created or configured. */
export async function bootstrapLocalTenant(
  db: Db,
  secrets: SecretBox,
  client: SimulatorClient,
  configuredKey?: string,
): Promise<{ tenantId: string; apiKey?: string }> {
  let tenant = await findTenantByName(db, localTenantName);
  tenant ??= await createTenant(db, {
    name: localTenantName,
    platformTarget: 'simulator',
    imsOrgId: client.orgId,
    sandboxName: client.sandbox,
    clientId: client.clientId,
    clientSecretSealed: secrets.seal(client.clientSecret),
    scopes: notebookScopes,
    allowSensitiveLabels: false,
  }).catch(async (err: unknown) => {
    // Another process bootstrapped at the same moment.
    const existing = await findTenantByName(db, localTenantName);
    if (!existing) throw err;
    return existing;
  });

  if (configuredKey) {
    const issued = apiKeyFromString(configuredKey);
    if (!issued) throw new Error('BOOTSTRAP_API_KEY must look like aepj_<12 lowercase letters or digits>_<43 base64url characters>');
    if (!(await findApiKeyByPrefix(db, issued.prefix))) await storeApiKey(db, tenant.id, issued, 'admin', 'bootstrap');
    return { tenantId: tenant.id, apiKey: configuredKey };
  }
  const keys = await db.apiKey.count({ where: { tenantId: tenant.id, revokedAt: null } });
  if (keys > 0) return { tenantId: tenant.id };
  const issued = issueApiKey();
  await storeApiKey(db, tenant.id, issued, 'admin', 'bootstrap');
  return { tenantId: tenant.id, apiKey: issued.key };
}

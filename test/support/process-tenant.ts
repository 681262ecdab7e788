// A tenant bound to a test simulator, with its own secrets keyring and a tenant API key, for tests
// that run the service as child processes (they get the keyring through SECRETS_KEYS).
import { randomBytes } from 'node:crypto';
import { createSecretBox, parseKeyring } from '../../src/crypto/secret-box.js';
import type { Db } from '../../src/db/client.js';
import { issueApiKey } from '../../src/tenants/api-keys.js';
import { createTenant, storeApiKey } from '../../src/tenants/tenant-store.js';
import type { TestSimulator } from './simulator.js';

export interface ProcessTenant {
  /** The tenant's API key. */
  key: string;
  /** `keyId:base64` keyring its client secret is sealed with: the processes' SECRETS_KEYS. */
  secretsKeys: string;
}

export async function createProcessTenant(db: Db, sim: Pick<TestSimulator, 'orgId' | 'sandbox' | 'clientId' | 'clientSecret'>, name: string): Promise<ProcessTenant> {
  const secretsKeys = `${name.replace(/[^a-z0-9]/g, '')}:${randomBytes(32).toString('base64')}`;
  const secrets = createSecretBox(parseKeyring(secretsKeys));
  const tenant = await createTenant(db, {
    name,
    platformTarget: 'simulator',
    imsOrgId: sim.orgId,
    sandboxName: sim.sandbox,
    clientId: sim.clientId,
    clientSecretSealed: secrets.seal(sim.clientSecret),
    scopes: 'openid,AdobeID',
    allowSensitiveLabels: false,
  });
  const issued = issueApiKey();
  await storeApiKey(db, tenant.id, issued, 'tenant', `${name} key`);
  return { key: issued.key, secretsKeys };
}

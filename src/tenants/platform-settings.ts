// Where a tenant's Platform calls go: Adobe prod, Adobe stage, or the local simulator.
import type { SecretBox } from '../crypto/secret-box.js';
import type { PlatformTarget } from '../platform/types.js';
import type { PlatformTargetName } from './tenant-store.js';

export interface TenantPlatformRow {
  platformTarget: string;
  imsOrgId: string;
  sandboxName: string;
  clientId: string;
  clientSecretSealed: string;
  scopes: string;
}

const adobeHosts: Record<Exclude<PlatformTargetName, 'simulator'>, { imsUrl: string; platformUrl: string }> = {
  prod: { imsUrl: 'https://ims-na1.adobelogin.com', platformUrl: 'https://platform.adobe.io' },
  stage: { imsUrl: 'https://ims-na1-stg1.adobelogin.com', platformUrl: 'https://platform-stage.adobe.io' },
};

export function resolvePlatformTarget(tenant: TenantPlatformRow, secrets: SecretBox, simulatorUrl: string): PlatformTarget {
  const hosts =
    tenant.platformTarget === 'prod' || tenant.platformTarget === 'stage'
      ? adobeHosts[tenant.platformTarget]
      : { imsUrl: simulatorUrl, platformUrl: simulatorUrl };
  return {
    ...hosts,
    orgId: tenant.imsOrgId,
    sandbox: tenant.sandboxName,
    clientId: tenant.clientId,
    clientSecret: secrets.open(tenant.clientSecretSealed),
    scopes: tenant.scopes.split(',').map((s) => s.trim()).filter(Boolean),
  };
}

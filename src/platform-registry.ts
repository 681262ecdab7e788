// One Platform client per tenant, created on first use and reused by every job of the process
// (exports and pipelines): the clients share one IMS token cache (keyed by credential), one set of
// keep-alive pools and the metric hooks, so every token request and call reaches the metrics. A tenant whose Platform settings
// change gets a fresh client, because the cache key includes a fingerprint of those settings.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretBox } from './crypto/secret-box.js';
import { createPlatformClient, type PlatformCallEvent, type PlatformClient } from './platform/client.js';
import { createOriginPools, type HttpTimeouts } from './platform/http.js';
import type { RetryPolicy } from './platform/retry.js';
import { createTokenCache, type TokenRequestEvent } from './platform/token-cache.js';
import { resolvePlatformTarget, type TenantPlatformRow } from './tenants/platform-settings.js';

export interface PlatformRegistryOptions {
  secrets: SecretBox;
  /** Where tenants with target "simulator" send their calls. */
  simulatorUrl: string;
  logger?: Logger;
  timeouts?: Partial<HttpTimeouts>;
  /** The API keeps this short (a caller is waiting); the worker may allow more. */
  retry?: Partial<RetryPolicy>;
  onCall?: (event: PlatformCallEvent) => void;
  /** Every IMS token request of the shared token cache (metrics). */
  onTokenRequest?: (event: TokenRequestEvent) => void;
}

export interface PlatformRegistry {
  /** The cached client of this tenant (built on first use): export methods and the pipeline APIs. */
  platformFor(tenant: TenantPlatformRow & { id: string }): PlatformClient;
  close(): Promise<void>;
}

function settingsFingerprint(tenant: TenantPlatformRow): string {
  // The sealed secret changes whenever the secret does, so it stands in for it here.
  return createHash('sha256')
    .update([tenant.platformTarget, tenant.imsOrgId, tenant.sandboxName, tenant.clientId, tenant.clientSecretSealed, tenant.scopes].join('\n'))
    .digest('hex');
}

export function createPlatformRegistry(options: PlatformRegistryOptions): PlatformRegistry {
  const pools = createOriginPools(options.timeouts);
  const tokens = createTokenCache({
    pools,
    timeouts: options.timeouts,
    logger: options.logger,
    ...(options.onTokenRequest ? { onTokenRequest: options.onTokenRequest } : {}),
  });
  const clients = new Map<string, { fingerprint: string; client: PlatformClient }>();

  return {
    platformFor(tenant) {
      const fingerprint = settingsFingerprint(tenant);
      const cached = clients.get(tenant.id);
      if (cached?.fingerprint === fingerprint) return cached.client;
      const client = createPlatformClient({
        target: resolvePlatformTarget(tenant, options.secrets, options.simulatorUrl),
        tokens,
        pools,
        ...(options.logger ? { logger: options.logger.child({ tenantId: tenant.id }) } : {}),
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.onCall ? { onCall: options.onCall } : {}),
      });
      clients.set(tenant.id, { fingerprint, client });
      return client;
    },
    async close() {
      clients.clear();
      await tokens.close();
      await pools.close();
    },
  };
}

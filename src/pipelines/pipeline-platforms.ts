// The worker's clients for pipelines: one Platform client per tenant (export methods plus the
// pipeline APIs) sharing one IMS token cache and keep-alive pools, like src/platform-registry.ts,
// and one ML platform client per pipeline target: the configured default, or a pipeline's own URL
// (reached only through the SSRF guard, since a caller chose it).
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { PlatformCallEvent } from '../platform/client.js';
import { createOriginPools, type HttpTimeouts } from '../platform/http.js';
import { createPipelinePlatformClient, type PipelinePlatformClient } from '../platform/pipeline-client.js';
import { createTokenCache } from '../platform/token-cache.js';
import { createSsrfGuard, type SsrfGuard } from '../security/ssrf.js';
import { resolvePlatformTarget, type TenantPlatformRow } from '../tenants/platform-settings.js';
import { createMlClient, type MlClient } from './ml-client.js';

export interface PipelinePlatformsOptions {
  secrets: SecretBox;
  simulatorUrl: string;
  mlPlatform: ServiceConfig['mlPlatform'];
  /** Caller-chosen ML platform URLs go through the guard (private addresses only when allowed). */
  allowPrivateUrls: boolean;
  logger?: Logger;
  timeouts?: Partial<HttpTimeouts>;
  onCall?: (event: PlatformCallEvent) => void;
}

export interface PipelinePlatforms {
  platformFor(tenant: TenantPlatformRow & { id: string }): PipelinePlatformClient;
  mlFor(pipeline: { mlPlatformUrl: string | null; mlPlatformTokenSealed: string | null }): MlClient;
  close(): Promise<void>;
}

function fingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function createPipelinePlatforms(options: PipelinePlatformsOptions): PipelinePlatforms {
  const pools = createOriginPools(options.timeouts);
  const tokens = createTokenCache({ pools, ...(options.timeouts ? { timeouts: options.timeouts } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  const clients = new Map<string, { key: string; client: PipelinePlatformClient }>();
  const mlClients = new Map<string, MlClient>();
  let guard: SsrfGuard | undefined;
  const timeoutMs = options.timeouts?.callMs ?? 30_000;

  return {
    platformFor(tenant) {
      const key = fingerprint([tenant.platformTarget, tenant.imsOrgId, tenant.sandboxName, tenant.clientId, tenant.clientSecretSealed, tenant.scopes]);
      const cached = clients.get(tenant.id);
      if (cached?.key === key) return cached.client;
      const client = createPipelinePlatformClient({
        target: resolvePlatformTarget(tenant, options.secrets, options.simulatorUrl),
        tokens,
        pools,
        ...(options.logger ? { logger: options.logger.child({ tenantId: tenant.id }) } : {}),
        ...(options.timeouts ? { timeouts: options.timeouts } : {}),
        ...(options.onCall ? { onCall: options.onCall } : {}),
      });
      clients.set(tenant.id, { key, client });
      return client;
    },

    mlFor(pipeline) {
      const own = pipeline.mlPlatformUrl !== null && pipeline.mlPlatformTokenSealed !== null;
      const baseUrl = own ? (pipeline.mlPlatformUrl as string) : options.mlPlatform.url;
      const key = own ? fingerprint([baseUrl, pipeline.mlPlatformTokenSealed as string]) : 'default';
      const cached = mlClients.get(key);
      if (cached) return cached;
      if (own) guard ??= createSsrfGuard({ allowPrivate: options.allowPrivateUrls });
      const client = createMlClient({
        baseUrl,
        token: own ? options.secrets.open(pipeline.mlPlatformTokenSealed as string) : options.mlPlatform.token,
        timeoutMs,
        ...(own && guard ? { dispatcher: guard.dispatcher } : {}),
      });
      mlClients.set(key, client);
      return client;
    },

    async close() {
      clients.clear();
      mlClients.clear();
      await tokens.close();
      await pools.close();
      await guard?.close();
    },
  };
}

// The worker's ML platform clients: one per pipeline target, the configured default or a
// pipeline's own URL (reached only through the SSRF guard, since a caller chose it). The Platform
// client of pipelines is the process's one registry (src/platform-registry.ts), shared with exports.
import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { createSsrfGuard, type SsrfGuard } from '../security/ssrf.js';
import { createMlClient, type MlClient } from './ml-client.js';

export interface MlPlatformsOptions {
  secrets: SecretBox;
  mlPlatform: ServiceConfig['mlPlatform'];
  /** Caller-chosen ML platform URLs go through the guard (private addresses only when allowed). */
  allowPrivateUrls: boolean;
  timeoutMs: number;
}

export interface MlPlatforms {
  mlFor(pipeline: { mlPlatformUrl: string | null; mlPlatformTokenSealed: string | null }): MlClient;
  close(): Promise<void>;
}

function fingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function createMlPlatforms(options: MlPlatformsOptions): MlPlatforms {
  const mlClients = new Map<string, MlClient>();
  let guard: SsrfGuard | undefined;

  return {
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
        timeoutMs: options.timeoutMs,
        ...(own && guard ? { dispatcher: guard.dispatcher } : {}),
      });
      mlClients.set(key, client);
      return client;
    },

    async close() {
      mlClients.clear();
      await guard?.close();
    },
  };
}

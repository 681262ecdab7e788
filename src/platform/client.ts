// The service's Adobe Experience Platform client: one object per tenant whose methods come from
// one module per Adobe API (flow-service.ts, flow-runs.ts, catalog.ts, dataset-service.ts,
// query-service.ts, batch-ingestion.ts, schema-registry.ts, segmentation.ts,
// audience-activation.ts, landing-zone.ts). Every method describes one CallSpec and hands it to
// the same `send` (call-executor.ts), so all of them share the token cache, the keep-alive pools,
// the retry policy, the error mapping and the onCall hook (metrics).
import { pino, type Logger } from 'pino';
import { activationMethods } from './audience-activation.js';
import { ingestionMethods } from './batch-ingestion.js';
import { createCallExecutor, createSender, type PlatformCallEvent } from './call-executor.js';
import { catalogMethods } from './catalog.js';
import { datasetServiceMethods } from './dataset-service.js';
import { flowRunMethods } from './flow-runs.js';
import { flowServiceEntities } from './flow-service-entities.js';
import { flowServiceMethods } from './flow-service.js';
import { createOriginPools, DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts, type OriginPools } from './http.js';
import { landingZoneMethods } from './landing-zone.js';
import { queryServiceMethods } from './query-service.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { registryMethods } from './schema-registry.js';
import { segmentationMethods } from './segmentation.js';
import type { TokenCache } from './token-cache.js';
import type { PlatformTarget } from './types.js';

export type { CallOptions, PlatformCallEvent } from './call-executor.js';

export interface PlatformClientOptions {
  target: PlatformTarget;
  tokens: TokenCache;
  logger?: Logger;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
  /** Shared keep-alive pools; when absent the client owns its own and `close()` closes them. */
  pools?: OriginPools;
  onCall?: (event: PlatformCallEvent) => void;
}

export type PlatformClient = ReturnType<typeof createPlatformClient>;

export function createPlatformClient(options: PlatformClientOptions) {
  const { target } = options;
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const ownsPools = options.pools === undefined;
  const pools = options.pools ?? createOriginPools(timeouts);
  const log = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'platform-client',
    orgId: target.orgId,
    sandbox: target.sandbox,
  });
  const execute = createCallExecutor({
    target,
    tokens: options.tokens,
    pools,
    timeouts,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    log,
    onCall: options.onCall,
  });
  const send = createSender(execute, target.sandbox);
  const entities = flowServiceEntities(send);

  return {
    target,
    ...flowServiceMethods(send, entities),
    ...flowRunMethods(send, entities),
    ...catalogMethods(send),
    ...datasetServiceMethods(send),
    ...landingZoneMethods(send),
    ...queryServiceMethods(send),
    ...ingestionMethods(send),
    ...registryMethods(send),
    ...segmentationMethods(send),
    ...activationMethods(send, entities),

    /** Closes the connection pools this client created (not shared ones, not the token cache). */
    async close(): Promise<void> {
      if (ownsPools) await pools.close();
    },
  };
}

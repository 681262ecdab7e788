// The full Platform client, as src/platform-registry.ts builds it for every job: the export-side
// client (datasets, Flow Service, runs) composed with the pipeline APIs (Query Service, batch
// ingestion, Schema Registry, Segmentation, audience activation), sharing one token cache,
// keep-alive pools and call hook.
import { pino } from 'pino';
import { createCallExecutor, createSender } from './call-executor.js';
import { createPlatformClient, type PlatformClientOptions } from './client.js';
import { createOriginPools, DEFAULT_HTTP_TIMEOUTS } from './http.js';
import { activationMethods } from './audience-activation.js';
import { ingestionMethods } from './batch-ingestion.js';
import { queryServiceMethods } from './query-service.js';
import { registryMethods } from './schema-registry.js';
import { segmentationMethods } from './segmentation.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';

export type PipelinePlatformClient = ReturnType<typeof createPipelinePlatformClient>;

export function createPipelinePlatformClient(options: PlatformClientOptions) {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const ownsPools = options.pools === undefined;
  const pools = options.pools ?? createOriginPools(timeouts);
  const base = createPlatformClient({ ...options, pools });
  const log = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'platform-client',
    orgId: options.target.orgId,
    sandbox: options.target.sandbox,
  });
  const execute = createCallExecutor({
    target: options.target,
    tokens: options.tokens,
    pools,
    timeouts,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    log,
    onCall: options.onCall,
  });
  const send = createSender(execute, options.target.sandbox);
  return {
    ...base,
    ...queryServiceMethods(send),
    ...ingestionMethods(send),
    ...registryMethods(send),
    ...segmentationMethods(send),
    ...activationMethods(send),
    async close(): Promise<void> {
      await base.close();
      if (ownsPools) await pools.close();
    },
  };
}

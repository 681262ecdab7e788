// Platform client hooks that feed the metrics: every HTTP exchange (onCall) and every IMS token
// request (onTokenRequest). Passed to createPlatformRegistry by the API and the worker.
import type { PlatformCallEvent } from '../platform/client.js';
import type { TokenRequestEvent } from '../platform/token-cache.js';
import type { ServiceMetrics } from './service-metrics.js';

export interface PlatformMetricHooks {
  onCall(event: PlatformCallEvent): void;
  onTokenRequest(event: TokenRequestEvent): void;
}

export function platformMetricHooks(metrics: ServiceMetrics): PlatformMetricHooks {
  return {
    onCall(event) {
      const { endpoint, method } = event;
      metrics.platformCalls.inc({ endpoint, method, status: event.status === null ? 'network' : String(event.status) });
      metrics.platformCallDuration.observe({ endpoint, method }, event.durationMs / 1000);
      // Attempt numbers start at 1; the replay after a 401 keeps its number, so it is not a retry.
      if (event.attempt > 1) metrics.platformRetries.inc({ endpoint, method });
    },
    onTokenRequest(event) {
      metrics.tokenRequests.inc({ outcome: event.outcome });
    },
  };
}

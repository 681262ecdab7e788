// Closed-loop load with autocannon: `connections` clients each send the next request as soon as the
// previous answer arrives. Gives the maximum throughput; its latencies understate stalls (see
// open-loop.ts for the honest ones).
import autocannon from 'autocannon';

export interface ClosedLoopOptions {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  body?: string;
  /** Per-request changes (a fresh Idempotency-Key, another id). */
  perRequest?: () => { path?: string; headers?: Record<string, string> };
}

export interface ClosedLoopResult {
  requestsPerSecond: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { perRequest } = options;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: options.method,
        path: options.path,
        headers: options.headers,
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(perRequest === undefined
          ? {}
          : {
              setupRequest: (request) => {
                const change = perRequest();
                return { ...request, ...(change.path ? { path: change.path } : {}), headers: { ...request.headers, ...change.headers } };
              },
            }),
      },
    ],
  });
  const seconds = Math.max(result.duration, 1e-9);
  return {
    requestsPerSecond: Math.round((result['2xx'] / seconds) * 10) / 10,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
  };
}

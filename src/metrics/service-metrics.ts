// The service's Prometheus metrics: one registry per process (API, worker, or both under
// `npm start`) holding every instrument, so the API's /metrics and the worker's listener expose
// the same names. Label values stay low-cardinality: route patterns, never raw URLs or ids.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A source of queue depths, asked on every scrape (BullMQ `getJobCounts`). */
export type QueueDepthSource = () => Promise<{ queue: string; counts: Record<string, number> }[]>;

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  queueJobs: Gauge<'queue' | 'state'>;
  jobDuration: Histogram<'queue' | 'job' | 'outcome'>;
  platformCalls: Counter<'endpoint' | 'method' | 'status'>;
  platformCallDuration: Histogram<'endpoint' | 'method'>;
  platformRetries: Counter<'endpoint' | 'method'>;
  tokenRequests: Counter<'outcome'>;
  /** Finished export runs by trigger (scheduled, adhoc) and state (succeeded, failed). */
  exportRuns: Counter<'trigger' | 'state'>;
  /** Adds a queue depth source; the gauge asks every source when scraped. */
  watchQueueDepths(source: QueueDepthSource): void;
}

export interface ServiceMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC). Entry points turn them on; tests leave them off. */
  processMetrics?: boolean;
}

export const metricPrefix = 'aepj_';

const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const jobSecondsBuckets = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function createServiceMetrics(options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: metricPrefix });

  const depthSources: QueueDepthSource[] = [];
  const queueJobs = new Gauge({
    name: `${metricPrefix}queue_jobs`,
    help: 'Jobs in each BullMQ queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      // A scrape during a Redis outage reports no depths rather than stale ones.
      this.reset();
      for (const source of depthSources) {
        const queues = await source().catch(() => []);
        for (const { queue, counts } of queues) {
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        }
      }
    },
  });

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: `${metricPrefix}http_request_duration_seconds`,
      help: 'API request latency by route pattern, method and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: secondsBuckets,
      registers,
    }),
    queueJobs,
    jobDuration: new Histogram({
      name: `${metricPrefix}job_duration_seconds`,
      help: 'Time a worker spent on one job activation, by queue, job name and outcome (finished, failed, cancelled, waiting, error, ...).',
      labelNames: ['queue', 'job', 'outcome'] as const,
      buckets: jobSecondsBuckets,
      registers,
    }),
    platformCalls: new Counter({
      name: `${metricPrefix}platform_calls_total`,
      help: 'HTTP exchanges with Adobe Experience Platform by client endpoint, method and status ("network" when no answer arrived).',
      labelNames: ['endpoint', 'method', 'status'] as const,
      registers,
    }),
    platformCallDuration: new Histogram({
      name: `${metricPrefix}platform_call_duration_seconds`,
      help: 'Duration of one HTTP exchange with the Platform.',
      labelNames: ['endpoint', 'method'] as const,
      buckets: secondsBuckets,
      registers,
    }),
    platformRetries: new Counter({
      name: `${metricPrefix}platform_retries_total`,
      help: 'Platform calls that were retries of an earlier failed attempt (429, 5xx, network).',
      labelNames: ['endpoint', 'method'] as const,
      registers,
    }),
    tokenRequests: new Counter({
      name: `${metricPrefix}ims_token_requests_total`,
      help: 'IMS access token requests (first fetch, refresh before expiry, refresh after a 401) by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    exportRuns: new Counter({
      name: `${metricPrefix}export_runs_total`,
      help: 'Export runs the worker saw finish, by trigger (scheduled by the flow, adhoc) and state (succeeded, failed).',
      labelNames: ['trigger', 'state'] as const,
      registers,
    }),
    watchQueueDepths(source) {
      depthSources.push(source);
    },
  };
}

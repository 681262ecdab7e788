// The worker's own account of its work, read from its Prometheus endpoint (WORKER_METRICS_PORT):
// Platform calls by endpoint and method, IMS token requests, time spent in Platform calls, and
// job activations (the time a job held a worker slot) by outcome. Two scrapes make a delta.
import { metricPrefix } from '../src/metrics/service-metrics.js';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type Scrape = Map<string, MetricSample>;

const lineShape = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelShape = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Prometheus text exposition format: one sample per non-comment line. */
export function parseMetrics(text: string): Scrape {
  const samples: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = lineShape.exec(line);
    if (match === null) continue;
    const [, name = '', labelText = '', value = ''] = match;
    const labels: Record<string, string> = {};
    for (const [, key = '', raw = ''] of labelText.matchAll(labelShape)) labels[key] = raw;
    samples.set(`${name}{${labelText}}`, { name, labels, value: Number(value) });
  }
  return samples;
}

export async function scrapeMetrics(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return parseMetrics(await response.text());
}

/** after − before for every sample of `after` (counters and histogram sums/counts). */
export function metricDelta(before: Scrape, after: Scrape): MetricSample[] {
  return [...after].map(([key, sample]) => ({ ...sample, value: sample.value - (before.get(key)?.value ?? 0) }));
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export interface CallBreakdown {
  /** "METHOD endpoint" → calls. */
  byEndpoint: Record<string, number>;
  total: number;
  /** Non-GET Platform calls (creates, patches, the ad hoc run). */
  writes: number;
  /** Run status reads (GET runs.get). */
  polls: number;
  /** IMS token requests (form POSTs to IMS, outside the Platform call counter). */
  imsTokens: number;
  /** Seconds spent inside Platform calls, summed over all calls (includes waiting for a pooled connection). */
  platformSeconds: number;
  /** "METHOD endpoint" → mean duration of one call in ms (where the Platform time goes). */
  meanMsByEndpoint: Record<string, number>;
}

export function callBreakdown(delta: MetricSample[]): CallBreakdown {
  const byEndpoint: Record<string, number> = {};
  let total = 0;
  let writes = 0;
  let polls = 0;
  let imsTokens = 0;
  let platformSeconds = 0;
  const secondsByEndpoint = new Map<string, number>();
  const countByEndpoint = new Map<string, number>();
  for (const sample of delta) {
    if (sample.value === 0) continue;
    const key = `${sample.labels.method ?? '?'} ${sample.labels.endpoint ?? '?'}`;
    if (sample.name === `${metricPrefix}platform_calls_total`) {
      const method = sample.labels.method ?? '?';
      const endpoint = sample.labels.endpoint ?? '?';
      byEndpoint[key] = (byEndpoint[key] ?? 0) + sample.value;
      total += sample.value;
      if (method !== 'GET') writes += sample.value;
      if (endpoint === 'runs.get') polls += sample.value;
    } else if (sample.name === `${metricPrefix}ims_token_requests_total`) {
      imsTokens += sample.value;
    } else if (sample.name === `${metricPrefix}platform_call_duration_seconds_sum`) {
      platformSeconds += sample.value;
      secondsByEndpoint.set(key, (secondsByEndpoint.get(key) ?? 0) + sample.value);
    } else if (sample.name === `${metricPrefix}platform_call_duration_seconds_count`) {
      countByEndpoint.set(key, (countByEndpoint.get(key) ?? 0) + sample.value);
    }
  }
  const meanMsByEndpoint: Record<string, number> = {};
  for (const [key, seconds] of secondsByEndpoint) meanMsByEndpoint[key] = round((seconds / (countByEndpoint.get(key) ?? 1)) * 1000, 1);
  return { byEndpoint, total, writes, polls, imsTokens, platformSeconds: round(platformSeconds, 3), meanMsByEndpoint };
}

export interface ActivationBreakdown {
  /** Job activations (a job taken into a slot, run until it finished or re-scheduled itself). */
  activations: number;
  byOutcome: Record<string, number>;
  /** Seconds jobs held worker slots, summed over activations. */
  slotSeconds: number;
}

export function activationBreakdown(delta: MetricSample[], queue = 'exports'): ActivationBreakdown {
  const byOutcome: Record<string, number> = {};
  let activations = 0;
  let slotSeconds = 0;
  for (const sample of delta) {
    if (sample.labels.queue !== queue || sample.value === 0) continue;
    if (sample.name === `${metricPrefix}job_duration_seconds_count`) {
      const outcome = sample.labels.outcome ?? '?';
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + sample.value;
      activations += sample.value;
    } else if (sample.name === `${metricPrefix}job_duration_seconds_sum`) {
      slotSeconds += sample.value;
    }
  }
  return { activations, byOutcome, slotSeconds: round(slotSeconds, 3) };
}

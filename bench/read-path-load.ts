// The two ways the read benchmark loads the API: one request at a time on one keep-alive
// connection (the latency of a request alone, nothing queued in front of it), and autocannon's
// closed loop at N connections with the CPU meter on (throughput, latency under contention, and
// which process saturates). A path function gives every request its own path.
import { Pool } from 'undici';
import { closedLoop, type ClosedLoopResult } from './lib/closed-loop.js';
import { startCpuMeter, type CpuUsage } from './lib/process-usage.js';
import { summarize, type LatencySummary } from './lib/stats.js';

export interface SequentialResult {
  latency: LatencySummary;
  statuses: Record<string, number>;
}

/** `count` GETs in a row on one keep-alive connection; each latency includes reading the body. */
export async function timeSequential(url: string, headers: Record<string, string>, path: (i: number) => string, count: number): Promise<SequentialResult> {
  const pool = new Pool(url, { connections: 1 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const response = await pool.request({ method: 'GET', path: path(i), headers });
      await response.body.dump();
      latencies.push(performance.now() - started);
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
    }
  } finally {
    await pool.close();
  }
  return { latency: summarize(latencies), statuses };
}

export interface MeteredClosedLoop {
  load: ClosedLoopResult;
  /** CPU by process group during the run: which process saturates. */
  cpu: CpuUsage;
}

/** autocannon GETs at `connections`, each request on its own path, with the CPU meter running. */
export async function meteredClosedLoop(options: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  path: () => string;
}): Promise<MeteredClosedLoop> {
  const meter = await startCpuMeter();
  const load = await closedLoop({
    url: options.url,
    method: 'GET',
    path: options.path(),
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    headers: options.headers,
    perRequest: () => ({ path: options.path() }),
  });
  return { load, cpu: await meter.stop() };
}

// Open-loop load: requests start on a fixed schedule whatever the server does, and each latency is
// measured from the request's *scheduled* start, so a stall shows in the figures instead of quietly
// slowing the sender (the coordinated omission a closed loop like autocannon's suffers from).
import { Pool } from 'undici';
import { summarize, type LatencySummary } from './stats.js';

export interface OpenLoopRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OpenLoopOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  /** Builds request number i (e.g. a fresh Idempotency-Key each). */
  request: (i: number) => OpenLoopRequest;
  /** Socket limit; requests beyond it queue in the client, which the latency then shows. */
  connections?: number;
  /** Status codes counted as success (default 2xx). */
  ok?: (status: number) => boolean;
}

export interface OpenLoopResult {
  targetRate: number;
  achievedRate: number;
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  latency: LatencySummary;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.url, { connections: options.connections ?? 256, pipelining: 1 });
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let okCount = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();

  const fire = async (i: number, scheduledAt: number): Promise<void> => {
    const req = options.request(i);
    let label: string;
    try {
      const response = await pool.request({ origin: options.url, method: req.method, path: req.path, headers: req.headers, body: req.body ?? null });
      await response.body.dump();
      label = String(response.statusCode);
      if (ok(response.statusCode)) okCount++;
    } catch (error) {
      label = `network: ${(error as Error).name}`;
    }
    latencies.push(performance.now() - scheduledAt);
    statuses[label] = (statuses[label] ?? 0) + 1;
  };

  for (let i = 0; i < total; i++) {
    const scheduledAt = start + i * intervalMs;
    const wait = scheduledAt - performance.now();
    // Timers are coarse; sleep only when the next slot is far enough away, else send at once.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(fire(i, scheduledAt));
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - start) / 1000;
  await pool.close();
  return {
    targetRate: options.ratePerSecond,
    achievedRate: Math.round((total / elapsedSeconds) * 10) / 10,
    sent: total,
    ok: okCount,
    errors: total - okCount,
    statuses,
    latency: summarize(latencies),
  };
}

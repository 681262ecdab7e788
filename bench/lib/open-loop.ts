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
  /**
   * Seconds sent at the same rate *before* the measured window, whose samples are discarded. A
   * service in production runs warm: its clients' keep-alive connections are open and its code is
   * compiled. Without this, the first second measures hundreds of sockets opened at once (a new
   * client opens one per request until the limit) and the JIT, not the steady state at the rate.
   * The measured window follows on the same schedule and the same sockets, so a stall in it counts.
   */
  warmupSeconds?: number;
  /** Status codes counted as success (default 2xx). */
  ok?: (status: number) => boolean;
  /** Keep every request's (scheduled offset, latency), to see *when* the slow ones happen. */
  keepSamples?: boolean;
}

/** One request: when it was scheduled (ms after the first measured one), its latency from then, and how late the generator sent it (ms). */
export interface OpenLoopSample {
  atMs: number;
  latencyMs: number;
  sendLagMs: number;
}

export interface OpenLoopResult {
  targetRate: number;
  achievedRate: number;
  sent: number;
  ok: number;
  /** 2xx answers to the warm-up's requests (not in the figures, but they did create things). */
  warmupOk: number;
  errors: number;
  statuses: Record<string, number>;
  latency: LatencySummary;
  /**
   * How late the generator itself handed requests to the client (timers, its own CPU share). It is
   * part of the latency above (measured from the scheduled start); a large one says the load
   * generator, not the server, is behind.
   */
  sendLag: LatencySummary;
  samples?: OpenLoopSample[];
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.url, { connections: options.connections ?? 256, pipelining: 1 });
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const warmup = Math.round(options.ratePerSecond * (options.warmupSeconds ?? 0));
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const samples: OpenLoopSample[] = [];
  const statuses: Record<string, number> = {};
  let okCount = 0;
  let warmupOkCount = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const measuredStart = start + warmup * intervalMs;

  const fire = async (i: number, scheduledAt: number): Promise<void> => {
    const sendLagMs = performance.now() - scheduledAt;
    const req = options.request(i);
    let label: string;
    let success = false;
    try {
      const response = await pool.request({ origin: options.url, method: req.method, path: req.path, headers: req.headers, body: req.body ?? null });
      await response.body.dump();
      label = String(response.statusCode);
      success = ok(response.statusCode);
    } catch (error) {
      label = `network: ${(error as Error).name}`;
    }
    if (i < warmup) {
      if (success) warmupOkCount++;
      return;
    }
    const latencyMs = performance.now() - scheduledAt;
    if (success) okCount++;
    latencies.push(latencyMs);
    sendLags.push(sendLagMs);
    if (options.keepSamples) samples.push({ atMs: scheduledAt - measuredStart, latencyMs, sendLagMs });
    statuses[label] = (statuses[label] ?? 0) + 1;
  };

  for (let i = 0; i < warmup + total; i++) {
    const scheduledAt = start + i * intervalMs;
    const wait = scheduledAt - performance.now();
    // Timers are coarse; sleep only when the next slot is far enough away, else send at once.
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sending = fire(i, scheduledAt);
    if (i >= warmup) inFlight.push(sending);
    else void sending;
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - measuredStart) / 1000;
  await pool.close();
  return {
    targetRate: options.ratePerSecond,
    achievedRate: Math.round((total / elapsedSeconds) * 10) / 10,
    sent: total,
    ok: okCount,
    warmupOk: warmupOkCount,
    errors: total - okCount,
    statuses,
    latency: summarize(latencies),
    sendLag: summarize(sendLags),
    ...(options.keepSamples ? { samples: samples.sort((a, b) => a.atMs - b.atMs) } : {}),
  };
}

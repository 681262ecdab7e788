// Drain of a backlog: with no worker running, N exports are accepted through the API (spread over
// many flows, none of which exists yet at the Platform), then one worker starts and is timed until
// every export is terminal, sampling the queue depth on the way. Runs in a world of its own.
import { freePort } from '../test/support/chaos/free-port.js';
import { createExportTargets, exportSpecs, postExports, startBenchWorld } from './lib/bench-world.js';
import { waitUntilTerminal } from './lib/export-rows.js';
import { startCpuMeter, type CpuUsage } from './lib/process-usage.js';
import { activationBreakdown, callBreakdown, metricDelta, parseMetrics, scrapeMetrics, type ActivationBreakdown, type CallBreakdown } from './worker-metrics.js';

export interface BacklogOptions {
  exports: number;
  bindings: number;
  destinations: number;
  /** Seconds between queue depth samples. */
  sampleSeconds: number;
  timeoutMs: number;
}

export interface DepthSample {
  seconds: number;
  /** Jobs waiting, active or delayed in BullMQ. */
  pendingJobs: number;
  terminal: number;
}

export interface BacklogResult {
  exports: number;
  bindings: number;
  destinations: number;
  acceptSeconds: number;
  acceptedPerSecond: number;
  queuedBeforeStart: number;
  /** Worker spawn → ready (the drain clock starts at the spawn). */
  workerStartSeconds: number;
  drainSeconds: number;
  drainPerSecond: number;
  /** Rate counted from the worker's ready line instead of its spawn. */
  drainPerSecondAfterReady: number;
  byStatus: Record<string, number>;
  pendingJobsAfter: number;
  calls: CallBreakdown;
  callsPerExport: number;
  activations: ActivationBreakdown;
  activationsPerExport: number;
  depth: DepthSample[];
  cpu: CpuUsage;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export async function measureBacklogDrain(options: BacklogOptions): Promise<BacklogResult> {
  const world = await startBenchWorld({ label: 'backlog' });
  try {
    await world.startApi();
    const targets = await createExportTargets(world, options.destinations);

    const acceptStarted = performance.now();
    const { accepted } = await postExports(world, exportSpecs(options.exports, options.bindings, targets));
    const acceptSeconds = (performance.now() - acceptStarted) / 1000;
    const queuedBeforeStart = await world.pendingJobs();

    const metricsPort = await freePort();
    const cpuMeter = await startCpuMeter();
    const spawnedAt = Date.now();
    await world.startWorker({ WORKER_METRICS_PORT: String(metricsPort) });
    const readyAt = Date.now();

    const depth: DepthSample[] = [];
    let nextSampleAt = spawnedAt;
    const done = await waitUntilTerminal(world.pool, accepted, {
      timeoutMs: options.timeoutMs,
      pollMs: 250,
      stallMs: 120_000,
      onPoll: async (progress) => {
        if (Date.now() < nextSampleAt) return;
        nextSampleAt += options.sampleSeconds * 1000;
        depth.push({ seconds: round((Date.now() - spawnedAt) / 1000, 1), pendingJobs: await world.pendingJobs(), terminal: progress.total - progress.active });
      },
    });
    const cpu = await cpuMeter.stop();
    const lastFinishedAt = done.lastFinishedAt ?? Date.now();
    if (depth.at(-1)?.terminal !== done.total) {
      depth.push({ seconds: round((lastFinishedAt - spawnedAt) / 1000, 1), pendingJobs: await world.pendingJobs(), terminal: done.total - done.active });
    }
    // The fresh worker's counters started at zero, so one scrape is the whole drain.
    const delta = metricDelta(parseMetrics(''), await scrapeMetrics(`http://127.0.0.1:${metricsPort}/metrics`));
    const calls = callBreakdown(delta);
    const activations = activationBreakdown(delta);
    const n = options.exports;
    const drainSeconds = (lastFinishedAt - spawnedAt) / 1000;
    return {
      exports: n,
      bindings: options.bindings,
      destinations: options.destinations,
      acceptSeconds: round(acceptSeconds, 1),
      acceptedPerSecond: round(accepted.length / acceptSeconds, 1),
      queuedBeforeStart,
      workerStartSeconds: round((readyAt - spawnedAt) / 1000, 2),
      drainSeconds: round(drainSeconds, 1),
      drainPerSecond: round(n / drainSeconds, 1),
      drainPerSecondAfterReady: round(n / ((lastFinishedAt - readyAt) / 1000), 1),
      byStatus: done.byStatus,
      pendingJobsAfter: await world.pendingJobs(),
      calls,
      callsPerExport: round(calls.total / n),
      activations,
      activationsPerExport: round(activations.activations / n),
      depth,
      cpu,
    };
  } finally {
    await world.close();
  }
}

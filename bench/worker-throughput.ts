// Exports per second of one worker process. Every binding's flow exists first (one export per
// binding, finished), so the measured exports are repeated ones. The measured batch is accepted
// while the queue is paused, then the queue is resumed and the drain is timed until the last
// export's finishedAt: the worker is already warm (token cached, connections open, code compiled)
// and the API's accept work does not share the CPU with it, so the figure is the worker's alone.
import { fileURLToPath } from 'node:url';
import { exportSpecs, postExports, type BenchWorld, type ExportTargets } from './lib/bench-world.js';
import { openExportQueue } from './lib/export-queue.js';
import { exportProgress, waitUntilTerminal } from './lib/export-rows.js';
import { startCpuMeter, type CpuUsage } from './lib/process-usage.js';
import { snapshotQueryCounts, statementsPer, type StatementsPerUnit } from './lib/query-counts.js';
import { activationBreakdown, callBreakdown, metricDelta, scrapeMetrics, type ActivationBreakdown, type CallBreakdown } from './worker-metrics.js';

export interface ThroughputOptions {
  latencyMs: number;
  exports: number;
  bindings: number;
  concurrency: number;
  workerMetricsUrl: string;
  timeoutMs: number;
}

export interface ThroughputResult {
  latencyMs: number;
  exports: number;
  bindings: number;
  concurrency: number;
  warmUpSeconds: number;
  acceptSeconds: number;
  drainSeconds: number;
  exportsPerSecond: number;
  byStatus: Record<string, number>;
  calls: CallBreakdown;
  callsPerExport: number;
  writesPerExport: number;
  pollsPerExport: number;
  activations: ActivationBreakdown;
  activationsPerExport: number;
  /** Seconds one export held a worker slot (sum over its activations). */
  slotMsPerExport: number;
  /** Seconds one export spent inside Platform calls. */
  platformMsPerExport: number;
  /** Slot time not spent in Platform calls: database, CPU, event-loop queueing. */
  otherSlotMsPerExport: number;
  /** Average busy slots over the drain / concurrency. */
  slotUtilization: number;
  /** concurrency / (calls per export × latency); Infinity at 0 ms. */
  boundPerSecond: number | null;
  ratioToBound: number | null;
  /** concurrency / slot time per export: the rate if every slot were always busy. */
  slotBoundPerSecond: number;
  cpu: CpuUsage;
  /** CPU ms of each process group per export over the drain (what one export costs the machine). */
  cpuMsPerExport: Record<string, number>;
  /** SQL statements per export by process, when the processes count them (bench/lib/query-counts.ts). */
  statementsPerExport?: StatementsPerUnit[];
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function warmUp(world: BenchWorld, targets: ExportTargets, bindings: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const { accepted } = await postExports(world, exportSpecs(bindings, bindings, targets));
  const done = await waitUntilTerminal(world.pool, accepted, { timeoutMs, stallMs: 120_000 });
  if (done.byStatus.succeeded !== bindings) throw new Error(`warm-up exports did not all succeed: ${JSON.stringify(done.byStatus)}`);
  return (performance.now() - started) / 1000;
}

export async function measureThroughput(world: BenchWorld, targets: ExportTargets, options: ThroughputOptions): Promise<ThroughputResult> {
  const warmUpSeconds = await warmUp(world, targets, options.bindings, options.timeoutMs);

  const queue = openExportQueue(world);
  try {
    await queue.pause();
    const acceptStarted = performance.now();
    const { accepted } = await postExports(world, exportSpecs(options.exports, options.bindings, targets));
    const acceptSeconds = (performance.now() - acceptStarted) / 1000;
    const queued = await exportProgress(world.pool, accepted);
    if (queued.byStatus.queued !== options.exports) throw new Error(`the paused queue was worked on: ${JSON.stringify(queued.byStatus)}`);

    const queriesBefore = await snapshotQueryCounts();
    const before = await scrapeMetrics(options.workerMetricsUrl);
    // Only this world's processes: other work on the machine shows as `other`.
    const cpuMeter = await startCpuMeter({
      repoRoot: fileURLToPath(new URL('../', import.meta.url)),
      databases: [new URL(world.env.DATABASE_URL ?? '').pathname.slice(1), world.sim.database],
      redisPort: Number(new URL(world.redis.url).port),
    });
    const resumedAt = Date.now();
    await queue.resume();
    const done = await waitUntilTerminal(world.pool, accepted, { timeoutMs: options.timeoutMs, pollMs: 100, stallMs: 120_000 });
    const cpu = await cpuMeter.stop();
    const after = await scrapeMetrics(options.workerMetricsUrl);
    const queriesAfter = await snapshotQueryCounts();

    const drainSeconds = ((done.lastFinishedAt ?? Date.now()) - resumedAt) / 1000;
    const delta = metricDelta(before, after);
    const calls = callBreakdown(delta);
    const activations = activationBreakdown(delta);
    const n = options.exports;
    const exportsPerSecond = n / drainSeconds;
    const callsPerExport = calls.total / n;
    const slotSecondsPerExport = activations.slotSeconds / n;
    const latencySeconds = options.latencyMs / 1000;
    const bound = latencySeconds === 0 ? null : options.concurrency / (callsPerExport * latencySeconds);
    return {
      latencyMs: options.latencyMs,
      exports: n,
      bindings: options.bindings,
      concurrency: options.concurrency,
      warmUpSeconds: round(warmUpSeconds, 1),
      acceptSeconds: round(acceptSeconds, 1),
      drainSeconds: round(drainSeconds, 2),
      exportsPerSecond: round(exportsPerSecond, 1),
      byStatus: done.byStatus,
      calls,
      callsPerExport: round(callsPerExport),
      writesPerExport: round(calls.writes / n),
      pollsPerExport: round(calls.polls / n),
      activations,
      activationsPerExport: round(activations.activations / n),
      slotMsPerExport: round(slotSecondsPerExport * 1000, 1),
      platformMsPerExport: round((calls.platformSeconds / n) * 1000, 1),
      otherSlotMsPerExport: round(((activations.slotSeconds - calls.platformSeconds) / n) * 1000, 1),
      slotUtilization: round(activations.slotSeconds / (options.concurrency * drainSeconds)),
      boundPerSecond: bound === null ? null : round(bound, 1),
      ratioToBound: bound === null ? null : round(exportsPerSecond / bound),
      slotBoundPerSecond: round(options.concurrency / slotSecondsPerExport, 1),
      cpu,
      cpuMsPerExport: Object.fromEntries(Object.entries(cpu.byGroup).map(([group, percent]) => [group, round(((percent / 100) * cpu.seconds * 1000) / n, 1)])),
      ...(queriesBefore === null || queriesAfter === null ? {} : { statementsPerExport: statementsPer(queriesBefore, queriesAfter, n) }),
    };
  } finally {
    await queue.close();
  }
}

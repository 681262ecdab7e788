// `npm run bench:worker`: one worker process against the simulator with 0 ms and with 100 ms of
// latency per Platform call (each in a fresh world): Platform calls per export (first export to a
// new destination, repeated export), and exports per second compared with the bound
// concurrency / (calls per export × latency). BENCH_QUICK=1 shrinks the batch for a smoke run.
// At 100 ms the worker runs at concurrency 20, where the bound (40/s) asks more CPU per second
// than this 2-core machine has for the worker, the simulator and Postgres together, and at
// concurrency 8 (bound 16/s), where the CPU is not the limit and the ratio shows the worker's own
// overhead on top of the Platform's latency.
import { createExportTargets, startBenchWorld } from './lib/bench-world.js';
import { printTable, writeResult, type TableRow } from './lib/report.js';
import { freePort } from '../test/support/chaos/free-port.js';
import type { ServiceProcess } from '../test/support/processes.js';
import { measureCallsPerExport, type CallsPerExport } from './worker-calls.js';
import { measureThroughput, type ThroughputResult } from './worker-throughput.js';

const quick = process.env.BENCH_QUICK === '1';
interface RunSetting {
  latencyMs: number;
  concurrency: number;
}

/**
 * BENCH_WORKER_RUNS=latency@concurrency,… (default 0@20,100@20,100@8); BENCH_WORKER_LATENCIES=100
 * measures one latency at concurrency 20 (e.g. while iterating on a profile).
 */
function runSettings(): RunSetting[] {
  const latencies = process.env.BENCH_WORKER_LATENCIES;
  if (latencies !== undefined) return latencies.split(',').map((latency) => ({ latencyMs: Number(latency), concurrency: 20 }));
  return (process.env.BENCH_WORKER_RUNS ?? '0@20,100@20,100@8').split(',').map((run) => {
    const [latency = '', concurrency = ''] = run.split('@');
    const setting = { latencyMs: Number(latency), concurrency: Number(concurrency) };
    if (!Number.isInteger(setting.latencyMs) || !Number.isInteger(setting.concurrency) || setting.concurrency < 1) throw new Error(`BENCH_WORKER_RUNS: ${run} is not latency@concurrency`);
    return setting;
  });
}

const runs = runSettings();
const maxConcurrency = Math.max(...runs.map((r) => r.concurrency));
const settings = {
  quick,
  runs,
  /** Measured batch per run. */
  exports: quick ? 200 : 3000,
  /** Distinct flows: twice the largest concurrency, so no two slots ever wait on one flow's run. */
  bindings: 2 * maxConcurrency,
  /** DLZ destinations the bindings are spread over (a sandbox holds at most 100 base connections). */
  destinations: 10,
  simulator: { notReadySeconds: 0, runSeconds: 0 },
};

interface LatencyResult {
  latencyMs: number;
  concurrency: number;
  calls: CallsPerExport;
  throughput: ThroughputResult;
}

async function measureAt({ latencyMs, concurrency }: RunSetting): Promise<LatencyResult> {
  const world = await startBenchWorld({ label: `worker${latencyMs}c${concurrency}`, simulator: settings.simulator });
  // With extra node flags (a --cpu-prof run) the worker and the simulator exit gracefully, so they write their profiles.
  const graceful: ServiceProcess[] = [];
  try {
    await world.startApi();
    const targets = await createExportTargets(world, settings.destinations);
    const metricsPort = await freePort();
    const worker = await world.startWorker({ WORKER_METRICS_PORT: String(metricsPort), WORKER_CONCURRENCY: String(concurrency) });
    graceful.push(worker, world.sim.process);
    await world.sim.setFaults({ latencyMs });
    const workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const calls = await measureCallsPerExport(world, workerMetricsUrl, targets);
    const throughput = await measureThroughput(world, targets, {
      latencyMs,
      exports: settings.exports,
      bindings: settings.bindings,
      concurrency,
      workerMetricsUrl,
      timeoutMs: 30 * 60_000,
    });
    return { latencyMs, concurrency, calls, throughput };
  } catch (error) {
    for (const p of graceful) console.error(`--- ${p.name} output (last lines):\n${p.output().split('\n').slice(-15).join('\n')}`);
    throw error;
  } finally {
    if (process.env.BENCH_NODE_ARGS !== undefined) for (const p of graceful) await p.stop();
    await world.close();
  }
}

function callRows(results: LatencyResult[]): TableRow[] {
  return results.flatMap(({ latencyMs, concurrency, calls }) =>
    (
      [
        ['first export, new destination', calls.first, calls.apiFirst],
        ['repeated export', calls.repeated, calls.apiRepeated],
      ] as const
    ).map(([label, worker, api]) => ({
      'latency ms': latencyMs,
      concurrency,
      export: label,
      'worker calls': worker.total,
      'writes (non-GET)': worker.writes,
      polls: worker.polls,
      'IMS tokens': worker.imsTokens,
      'calls by endpoint': Object.entries(worker.byEndpoint)
        .map(([endpoint, n]) => `${endpoint}×${n}`)
        .join(', '),
      'API calls at accept': api.total,
    })),
  );
}

function throughputRow({ throughput: t }: LatencyResult): TableRow {
  return {
    'latency ms': t.latencyMs,
    concurrency: t.concurrency,
    exports: t.exports,
    'drain s': t.drainSeconds,
    'exports/s': t.exportsPerSecond,
    'calls/export': t.callsPerExport,
    'bound/s': t.boundPerSecond ?? 'unbounded',
    'ratio': t.ratioToBound,
    'slot ms/export': t.slotMsPerExport,
    'platform ms/export': t.platformMsPerExport,
    'other slot ms/export': t.otherSlotMsPerExport,
    'activations/export': t.activationsPerExport,
    'slot use': t.slotUtilization,
    'CPU ms/export': Object.entries(t.cpuMsPerExport)
      .filter(([, ms]) => ms >= 1)
      .map(([group, ms]) => `${group} ${ms}`)
      .join(', '),
    'CPU % (of 1 core)': Object.entries(t.cpu.byGroup)
      .map(([group, percent]) => `${group} ${percent}`)
      .join(', '),
  };
}

/** Mean duration of each kind of call during the drain, one column per latency (pool waits and simulator time show here). */
function callTimeRows(results: LatencyResult[]): TableRow[] {
  const endpoints = [...new Set(results.flatMap(({ throughput }) => Object.keys(throughput.calls.meanMsByEndpoint)))];
  return endpoints.map((endpoint) => ({
    call: endpoint,
    ...Object.fromEntries(results.map(({ latencyMs, concurrency, throughput }) => [`mean ms at ${latencyMs} ms, ×${concurrency}`, throughput.calls.meanMsByEndpoint[endpoint] ?? null])),
  }));
}

/** Every measured export succeeded and none went missing. */
function problemsOf(results: LatencyResult[]): string[] {
  return results.flatMap(({ throughput: t }) => {
    const succeeded = t.byStatus.succeeded ?? 0;
    return succeeded === t.exports ? [] : [`${t.latencyMs} ms ×${t.concurrency}: ${succeeded} of ${t.exports} succeeded (${JSON.stringify(t.byStatus)})`];
  });
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const results: LatencyResult[] = [];
  for (const run of runs) results.push(await measureAt(run));

  printTable('Platform calls per export (worker metrics delta)', callRows(results));
  printTable(`Worker throughput: one process, ${settings.bindings} flows`, results.map(throughputRow));
  printTable('Mean Platform call duration during the drain (simulator latency included)', callTimeRows(results));
  for (const { latencyMs, concurrency, throughput } of results) {
    for (const { process: name, total, top } of throughput.statementsPerExport ?? []) {
      printTable(`SQL statements per export at ${latencyMs} ms ×${concurrency}, ${name}: ${total}`, top.map(({ statement, perUnit }) => ({ 'per export': perUnit, statement })));
    }
  }
  const path = await writeResult('worker', startedAt, settings, results);
  console.log(`\nresults: ${path}`);
  const problems = problemsOf(results);
  if (problems.length > 0) {
    console.error(`FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
}

await main();

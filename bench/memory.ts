// Memory (issue #5): RSS of the API and worker processes before and after a 10-minute run at half
// the maximum end-to-end rate (POST /exports, open loop, 0 ms simulator), sampled every 5 s.
//   npm run bench:memory               (BENCH_QUICK=1: a 60 s run; BENCH_MEMORY_CALIBRATE=1: ignore bench/results)
// The rate is half the lower of the accept and worker maxima from bench/results (see
// memory-rate.ts), or calibrated here when those runs are missing. Warm-up first (every flow
// created, code compiled), then the measured run, then an idle period; at the end every accepted
// export must have reached a terminal state.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createExportTargets, exportSpecs, startBenchWorld } from './lib/bench-world.js';
import { exportProgress } from './lib/export-rows.js';
import { openLoop, type OpenLoopRequest } from './lib/open-loop.js';
import { rssMiB, startCpuMeter } from './lib/process-usage.js';
import { printTable, writeResult } from './lib/report.js';
import { calibrate, chooseRate, maxRatesFromResults, type Calibration } from './memory-rate.js';
import { peakMiB, slopeMiBPerMinute, startRssSampler, type ProcessName } from './memory-rss.js';

const quick = process.env.BENCH_QUICK === '1';
const settings = {
  quick,
  runSeconds: quick ? 60 : 600,
  sampleEverySeconds: 5,
  warmUpSeconds: quick ? 10 : 30,
  idleSeconds: quick ? 15 : 60,
  /** Exports of the calibration batch, used only when a results file is missing. */
  calibrationExports: quick ? 300 : 3000,
  destinations: 10,
  /** Bindings are at least twice the worker's concurrency (20) ... */
  minBindings: 40,
  /** ... and enough that two exports of one flow are this many seconds apart at the chosen rate,
   * far longer than an export takes, so none waits for its flow's previous run. */
  bindingGapSeconds: 10,
  simulator: { notReadySeconds: 0, runSeconds: 0 },
};
/** Below this RSS slope over the last half of the run (MiB/min) a process counts as settled. */
const flatSlope = 0.5;

const startedAt = new Date();
const world = await startBenchWorld({ label: 'memory', simulator: settings.simulator });
let failed = false;
try {
  const api = await world.startApi();
  const targets = await createExportTargets(world, settings.destinations);
  const worker = await world.startWorker();
  const pids: Record<ProcessName, number> = { api: api.process.child.pid ?? 0, worker: worker.child.pid ?? 0 };
  const terminalTimeoutMs = Math.max(180, settings.runSeconds) * 1000;

  // BENCH_MEMORY_CALIBRATE=1 ignores the results files (e.g. when they come from another machine).
  const fromResults = process.env.BENCH_MEMORY_CALIBRATE === '1' ? {} : await maxRatesFromResults();
  let calibration: Calibration | undefined;
  if (!fromResults.accept || !fromResults.worker) {
    const missing = [fromResults.accept ? '' : 'accept', fromResults.worker ? '' : 'worker'].filter(Boolean).join(' and ');
    console.log(`no usable ${missing} results in bench/results: calibrating with ${settings.calibrationExports} exports ...`);
    calibration = await calibrate(world, exportSpecs(settings.calibrationExports, settings.minBindings, targets), terminalTimeoutMs);
  }
  const calibrated = `calibrated here: ${calibration?.exports ?? 0} exports posted at 50 connections`;
  const rate = chooseRate(
    fromResults.accept ?? { perSecond: calibration?.acceptPerSecond ?? 0, source: `${calibrated} (accept rate)` },
    fromResults.worker ?? { perSecond: calibration?.endToEndPerSecond ?? 0, source: `${calibrated}, until the last finished (end-to-end rate)` },
  );
  if (!(rate.halfMaxRate > 0)) throw new Error(`no usable maximum rate: ${JSON.stringify(rate)}`);
  const bindings = Math.max(settings.minBindings, Math.ceil(rate.halfMaxRate * settings.bindingGapSeconds));
  const bodies = exportSpecs(bindings, bindings, targets).map((spec) => JSON.stringify(spec));
  let sent = 0;
  const postExport = (): OpenLoopRequest => ({
    method: 'POST',
    path: '/exports',
    headers: { authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: bodies[sent++ % bodies.length],
  });
  const load = (durationSeconds: number) => openLoop({ url: api.url, ratePerSecond: rate.halfMaxRate, durationSeconds, request: postExport });
  const rss = async () => ({ api: await rssMiB(pids.api), worker: await rssMiB(pids.worker) });
  const activeExports = async () => (await exportProgress(world.pool)).active;

  console.log(`warm-up: ${settings.warmUpSeconds} s at ${rate.halfMaxRate}/s over ${bindings} flows ...`);
  const warmUp = await load(settings.warmUpSeconds);
  await world.waitUntilAllTerminal(terminalTimeoutMs);
  const rowsBefore = await exportProgress(world.pool);
  const before = await rss();

  console.log(`run: ${settings.runSeconds} s at ${rate.halfMaxRate}/s ...`);
  const sampler = startRssSampler(pids, settings.sampleEverySeconds * 1000, activeExports);
  const cpuMeter = await startCpuMeter();
  const run = await load(settings.runSeconds);
  const cpu = await cpuMeter.stop();
  const atEnd = await rss();
  const drainStarted = performance.now();
  await world.waitUntilAllTerminal(terminalTimeoutMs);
  const drainSeconds = Math.round((performance.now() - drainStarted) / 100) / 10;
  const samples = await sampler.stop();
  const after = await rss();
  await sleep(settings.idleSeconds * 1000);
  const afterIdle = await rss();
  const rowsAfter = await exportProgress(world.pool);

  // Every 202 (calibration, warm-up, run) has its row, and every row is terminal (waitUntilAllTerminal
  // above); with no faults injected every one should have succeeded.
  const accepted = (calibration?.exports ?? 0) + warmUp.ok + run.ok;
  const lost = Math.max(0, accepted - rowsAfter.total);
  const notSucceeded = rowsAfter.total - (rowsAfter.byStatus.succeeded ?? 0);
  const runRows = rowsAfter.total - rowsBefore.total;
  const runByStatus = Object.fromEntries(Object.entries(rowsAfter.byStatus).map(([status, n]) => [status, n - (rowsBefore.byStatus[status] ?? 0)]));

  const figures = (name: ProcessName) => ({
    process: name,
    'before MiB': before[name],
    'end of load MiB': atEnd[name],
    'drained MiB': after[name],
    'peak MiB': peakMiB(samples, name),
    'last-half slope MiB/min': slopeMiBPerMinute(samples, name, settings.runSeconds / 2, settings.runSeconds),
    [`after ${settings.idleSeconds} s idle MiB`]: afterIdle[name],
  });
  const memory = [figures('api'), figures('worker')];
  printTable(`RSS, ${settings.runSeconds} s open loop at ${rate.halfMaxRate} exports/s (half of min(accept ${rate.accept.perSecond}, worker ${rate.worker.perSecond}))`, memory);

  const lastHalf = samples.filter((s) => s.atSeconds >= settings.runSeconds / 2 && s.atSeconds <= settings.runSeconds);
  printTable('The run', [
    {
      'rate/s': run.targetRate,
      'achieved/s': run.achievedRate,
      sent: run.sent,
      accepted: run.ok,
      errors: run.errors,
      'accept p50 ms': run.latency.p50Ms,
      'accept p99 ms': run.latency.p99Ms,
      'accept max ms': run.latency.maxMs,
      'rows created': runRows,
      succeeded: runByStatus.succeeded ?? 0,
      'max active': Math.max(0, ...samples.map((s) => s.activeExports)),
      'last-half mean active': lastHalf.length === 0 ? null : Math.round(lastHalf.reduce((n, s) => n + s.activeExports, 0) / lastHalf.length),
      'drain after load s': drainSeconds,
    },
  ]);
  printTable('Every accepted export (calibration, warm-up and run)', [{ accepted, rows: rowsAfter.total, ...rowsAfter.byStatus, active: rowsAfter.active, lost }]);
  printTable(`CPU during the run, % of one core (machine: ${cpu.capacityPercent} %)`, [cpu.byGroup]);
  console.log(`\nrate sources: accept = ${rate.accept.source}; worker = ${rate.worker.source}`);

  const findings = memory.map((m) => {
    const slope = m['last-half slope MiB/min'];
    const verdict = slope === null ? 'too few samples for a slope' : Math.abs(slope) < flatSlope ? `flat over the last half (|slope| < ${flatSlope} MiB/min)` : `still ${slope > 0 ? 'growing' : 'shrinking'} at ${slope} MiB/min over the last half`;
    return `${m.process}: ${m['before MiB']} MiB before, peak ${m['peak MiB']}, ${m['drained MiB']} drained, ${afterIdle[m.process]} after idle; ${verdict}.`;
  });
  for (const finding of findings) console.log(finding);

  if (lost > 0 || notSucceeded > 0) {
    failed = true;
    console.error(`\n${lost} accepted exports have no row; ${notSucceeded} exports did not succeed (${JSON.stringify(rowsAfter.byStatus)})`);
  }

  const file = await writeResult('memory', startedAt, { ...settings, bindings, ratePerSecond: rate.halfMaxRate }, {
    rate,
    calibration: calibration ?? null,
    warmUp: { ...warmUp, rows: rowsBefore },
    rss: { before, atEndOfLoad: atEnd, afterDrain: after, afterIdle, summary: memory, samples },
    run: { ...run, rows: runRows, byStatus: runByStatus, drainSeconds },
    allExports: { accepted, rows: rowsAfter, lost, notSucceeded },
    cpu,
    findings,
  });
  console.log(`\nwrote ${file}`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await world.close();
}
process.exit(failed ? 1 : 0);

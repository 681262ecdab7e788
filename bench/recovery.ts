// `npm run bench:recovery`: (1) how long a SIGKILLed worker's export takes to resume, with the
// service's lock settings (and once with short ones, to show the knob); (2) how fast one worker
// drains a backlog of accepted exports against the 0 ms simulator. BENCH_QUICK=1: one repetition
// and a 500-export backlog.
import { loadConfig } from '../src/config.js';
import type { ServiceProcess } from '../test/support/processes.js';
import { startBenchWorld } from './lib/bench-world.js';
import { openExportQueue } from './lib/export-queue.js';
import { printTable, writeResult, type TableRow } from './lib/report.js';
import { summarize } from './lib/stats.js';
import { measureBacklogDrain, type BacklogResult } from './recovery-backlog.js';
import { killAndResume, lockEnv, type LockSettings, type ResumeSample } from './recovery-resume.js';

const quick = process.env.BENCH_QUICK === '1';
const defaults = loadConfig({}).worker;
const serviceDefaults: LockSettings = { label: 'service defaults', lockDurationMs: defaults.lockDurationMs, stalledIntervalMs: defaults.stalledIntervalMs };
const shortLocks: LockSettings = { label: 'short locks', lockDurationMs: 4_000, stalledIntervalMs: 2_000 };
const settings = {
  quick,
  resume: {
    repetitions: quick ? 1 : 3,
    simulator: { notReadySeconds: 0, runSeconds: 5, latencyMs: 200 },
    lockSettings: [serviceDefaults, shortLocks],
  },
  backlog: { exports: quick ? 500 : 10_000, bindings: quick ? 50 : 200, destinations: quick ? 10 : 20, sampleSeconds: quick ? 2 : 10, timeoutMs: 60 * 60_000 },
};

async function measureResume(): Promise<ResumeSample[]> {
  const { latencyMs, ...simulator } = settings.resume.simulator;
  const world = await startBenchWorld({ label: 'resume', simulator: { ...simulator, faults: { latencyMs } } });
  const queue = openExportQueue(world);
  const samples: ResumeSample[] = [];
  try {
    await world.startApi();
    // Short locks first: BullMQ's stalled-check key lives for one stalled interval, so a check of a
    // 30 s worker would mute a 2 s worker's checks for up to 30 s (all workers share the setting in production).
    const runs: LockSettings[] = [shortLocks, ...Array.from({ length: settings.resume.repetitions }, () => serviceDefaults)];
    let worker: ServiceProcess | undefined;
    let current: LockSettings | undefined;
    for (const lock of runs) {
      // Both the killed worker (its lock's lifetime) and its replacement (the stalled check) use these.
      if (current !== lock) {
        await worker?.stop();
        worker = await world.startWorker(lockEnv(lock));
        current = lock;
      }
      if (worker === undefined) throw new Error('no worker');
      const { sample, replacement } = await killAndResume(world, queue, worker, lock);
      samples.push(sample);
      worker = replacement;
      console.log(`resume (${lock.label}): ${JSON.stringify(sample)}`);
    }
    return samples;
  } finally {
    await queue.close();
    await world.close();
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

function resumeRows(samples: ResumeSample[]): TableRow[] {
  const labels = [...new Set(samples.map((s) => s.settings))];
  return labels.map((label) => {
    const of = samples.filter((s) => s.settings === label);
    const resume = summarize(of.map((s) => s.resumeMs));
    const terminal = summarize(of.map((s) => s.terminalMs));
    const lock = [serviceDefaults, shortLocks].find((l) => l.label === label);
    return {
      settings: `${label} (lock ${seconds(lock?.lockDurationMs ?? 0)} s, stalled check ${seconds(lock?.stalledIntervalMs ?? 0)} s)`,
      runs: of.length,
      'job at kill': [...new Set(of.map((s) => s.jobStateAtKill))].join(','),
      'restart s (median)': seconds(summarize(of.map((s) => s.restartMs)).p50Ms),
      'stalled check s (median)': seconds(summarize(of.flatMap((s) => (s.stalledEventMs === null ? [] : [s.stalledEventMs]))).p50Ms),
      'resume s min': seconds(Math.min(...of.map((s) => s.resumeMs))),
      'resume s median': seconds(resume.p50Ms),
      'resume s max': seconds(resume.maxMs),
      'next step s (median)': seconds(summarize(of.map((s) => s.nextStepMs)).p50Ms),
      'terminal s min': seconds(Math.min(...of.map((s) => s.terminalMs))),
      'terminal s median': seconds(terminal.p50Ms),
      'terminal s max': seconds(terminal.maxMs),
      statuses: [...new Set(of.map((s) => s.status))].join(','),
    };
  });
}

function backlogRows(b: BacklogResult): TableRow[] {
  return [
    {
      exports: b.exports,
      flows: b.bindings,
      'accept s': b.acceptSeconds,
      'accepted/s': b.acceptedPerSecond,
      'worker start s': b.workerStartSeconds,
      'drain s': b.drainSeconds,
      'drained/s': b.drainPerSecond,
      'drained/s after ready': b.drainPerSecondAfterReady,
      'calls/export': b.callsPerExport,
      'activations/export': b.activationsPerExport,
      statuses: JSON.stringify(b.byStatus),
      'CPU % (of 1 core)': Object.entries(b.cpu.byGroup)
        .map(([group, percent]) => `${group} ${percent}`)
        .join(', '),
    },
  ];
}

/** At most ~15 evenly spaced samples, always the first and the last. */
function depthRows(b: BacklogResult): TableRow[] {
  const step = Math.max(1, Math.ceil(b.depth.length / 15));
  return b.depth
    .filter((_, i) => i % step === 0 || i === b.depth.length - 1)
    .map((d) => ({ 's since worker spawn': d.seconds, 'queue depth (waiting+active+delayed)': d.pendingJobs, 'terminal exports': d.terminal }));
}

function problemsOf(samples: ResumeSample[], backlog: BacklogResult): string[] {
  const problems = samples.filter((s) => s.status !== 'succeeded').map((s) => `resume (${s.settings}) ended ${s.status}`);
  const succeeded = backlog.byStatus.succeeded ?? 0;
  if (succeeded !== backlog.exports) problems.push(`backlog: ${succeeded} of ${backlog.exports} succeeded (${JSON.stringify(backlog.byStatus)})`);
  return problems;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const samples = await measureResume();
  const backlog = await measureBacklogDrain(settings.backlog);

  printTable(
    `Resume after SIGKILL (simulator ${settings.resume.simulator.latencyMs} ms per call, runs take ${settings.resume.simulator.runSeconds} s; times from the kill)`,
    resumeRows(samples),
  );
  printTable('Backlog drain: one worker, 0 ms simulator', backlogRows(backlog));
  printTable('Backlog drain: queue depth over time', depthRows(backlog));
  const path = await writeResult('recovery', startedAt, settings, { resume: samples, backlog });
  console.log(`\nresults: ${path}`);
  const problems = problemsOf(samples, backlog);
  if (problems.length > 0) {
    console.error(`FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
}

await main();

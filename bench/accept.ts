// Accept benchmark: POST /exports at 50 connections, closed loop (autocannon, maximum throughput)
// and open loop (fixed rates, latency without coordinated omission), against our API and, in the
// same session, the naive baseline (bench/baseline-server.ts). Then a CPU profile of our API under
// the same load, to say where the accept path's time goes.
// `npm run bench:accept`; BENCH_QUICK=1 for a short smoke run. Knobs to iterate on the open loop's
// tail: BENCH_ACCEPT_SECONDS (per run), BENCH_ACCEPT_RATE (skip the closed loop and the profile and
// take this as our maximum), BENCH_ACCEPT_SHARES (e.g. "0.5"), BENCH_ACCEPT_SAMPLES=<dir> (write each
// open-loop request's scheduled time and latency as CSV there, to see when the slow ones happen),
// BENCH_ACCEPT_OPEN_WARMUP and BENCH_ACCEPT_OPEN_CONNECTIONS (see below), BENCH_ACCEPT_NODE_OPTIONS.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService, startApiProcess, type ServiceProcess } from '../test/support/processes.js';
import { summarizeProfile } from './accept-profile.js';
import { createExportTargets, startBenchWorld, type BenchWorld } from './lib/bench-world.js';
import { closedLoop, type ClosedLoopResult } from './lib/closed-loop.js';
import { openLoop, type OpenLoopResult } from './lib/open-loop.js';
import { startCpuMeter, type CpuUsage } from './lib/process-usage.js';
import { watchApi, type ApiWindow } from './lib/api-metrics.js';
import { printTable, writeResult } from './lib/report.js';

const quick = process.env.BENCH_QUICK === '1';
const knob = (name: string): string | undefined => (process.env[name] === '' ? undefined : process.env[name]);
const connections = 50;
const durationSeconds = Number(knob('BENCH_ACCEPT_SECONDS') ?? (quick ? 8 : 30));
const warmupSeconds = quick ? 2 : 5;
const rounds = quick ? 1 : 2;
const openLoopShares = (knob('BENCH_ACCEPT_SHARES') ?? '0.5,0.8').split(',').map(Number);
const fixedRate = knob('BENCH_ACCEPT_RATE') === undefined ? undefined : Number(knob('BENCH_ACCEPT_RATE'));
const samplesDir = knob('BENCH_ACCEPT_SAMPLES');
/** Node flags for both servers alike (e.g. GC settings to compare), BENCH_ACCEPT_NODE_OPTIONS. */
const nodeOptions: Record<string, string> = knob('BENCH_ACCEPT_NODE_OPTIONS') === undefined ? {} : { NODE_OPTIONS: knob('BENCH_ACCEPT_NODE_OPTIONS') as string };
/**
 * The open loop's warm-up at each rate (samples discarded) and its sockets. Both targets get the
 * same. See openLoop's warmupSeconds: the measured window starts from the steady state at the rate,
 * on sockets already open, as a long-running service's clients are; a stall inside it still counts.
 */
const openWarmupSeconds = Number(knob('BENCH_ACCEPT_OPEN_WARMUP') ?? (quick ? 2 : 5));
/**
 * Sockets for the open loop, by Little's law: the rate times 50 ms (our p99 target at 50
 * connections) is what the service holds in flight when it meets its target; twice that, at least
 * 16, leaves room for a slower moment. Requests beyond it wait in the client, and that wait is in
 * their latency (measured from the scheduled start), so no stall is hidden. 256 sockets at ~550/s
 * instead let a hiccup become hundreds of requests fighting for the same two cores at once.
 */
const openConnections = (rate: number): number => Number(knob('BENCH_ACCEPT_OPEN_CONNECTIONS') ?? Math.max(16, Math.ceil(rate * 0.05 * 2)));

interface Target {
  name: 'ours' | 'baseline';
  url: string;
  headers: () => Record<string, string>;
}

interface ClosedRun extends ClosedLoopResult {
  target: string;
  round: number;
  cpu: CpuUsage;
}

async function startBaseline(world: BenchWorld, destinationId: string): Promise<{ process: ServiceProcess; url: string }> {
  const { rows } = await world.pool.query<{ id: string }>('SELECT id::text AS id FROM tenants LIMIT 1');
  const tenantId = rows[0]?.id;
  if (tenantId === undefined) throw new Error('the bench world has no tenant');
  const child = spawnService('baseline', 'bench/baseline-server.ts', {
    PORT: '0',
    DATABASE_URL: world.env.DATABASE_URL ?? '',
    REDIS_URL: world.env.REDIS_URL ?? '',
    TENANT_ID: tenantId,
    DESTINATION_ID: destinationId,
    ...nodeOptions,
  });
  const line = await child.waitForLine(/baseline listening at/);
  const url = /(http:\/\/\S+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`baseline: no URL in ${line}`);
  return { process: child, url };
}

async function measureClosed(target: Target, body: string, round: number, seconds: number): Promise<ClosedRun> {
  const meter = await startCpuMeter();
  const result = await closedLoop({
    url: target.url,
    method: 'POST',
    path: '/exports',
    connections,
    durationSeconds: seconds,
    headers: target.headers(),
    body,
    perRequest: () => ({ headers: target.headers() }),
  });
  return { target: target.name, round, ...result, cpu: await meter.stop() };
}

async function measureOpen(target: Target, body: string, rate: number): Promise<OpenLoopResult & { target: string; cpu: CpuUsage; server?: ApiWindow }> {
  // Our API's own view (GC, event-loop delay, time in the server); the baseline serves no /metrics.
  const watch = target.name === 'ours' ? await watchApi(target.url) : undefined;
  const meter = await startCpuMeter();
  const result = await openLoop({
    url: target.url,
    ratePerSecond: rate,
    durationSeconds,
    request: () => ({ method: 'POST', path: '/exports', headers: target.headers(), body }),
    keepSamples: samplesDir !== undefined,
    warmupSeconds: openWarmupSeconds,
    connections: openConnections(rate),
  });
  const cpu = await meter.stop();
  return { target: target.name, ...result, cpu, ...(watch ? { server: await watch() } : {}) };
}

/** Our API again, with --cpu-prof, under the closed-loop load: where the accept path's time goes. */
async function profileOurApi(world: BenchWorld, ours: Target, body: string) {
  await world.api.process.stop();
  const profileDir = await mkdtemp(join(tmpdir(), 'accept-profile-'));
  const profiled = await startApiProcess(world.env, 'api-profiled', ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const run = await measureClosed({ ...ours, url: profiled.url }, body, 0, durationSeconds);
  await profiled.process.stop();
  const profileFile = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
  if (profileFile === undefined) throw new Error('the profiled API wrote no .cpuprofile');
  const summary = await summarizeProfile(join(profileDir, profileFile));
  await rm(profileDir, { recursive: true, force: true });
  return { run, ...summary };
}

/** One CSV per open-loop run: each request's scheduled time and latency, in ms. */
async function writeSamples(dir: string, runs: (OpenLoopResult & { target: string })[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const run of runs) {
    const lines = (run.samples ?? []).map((s) => `${s.atMs.toFixed(1)},${s.latencyMs.toFixed(2)},${s.sendLagMs.toFixed(2)}`);
    await writeFile(join(dir, `${run.target}-${run.targetRate}.csv`), `at_ms,latency_ms,send_lag_ms\n${lines.join('\n')}\n`);
  }
}

const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1);
const cpuLine = (cpu: CpuUsage): string =>
  Object.entries(cpu.byGroup)
    .filter(([, percent]) => percent >= 3)
    .map(([group, percent]) => `${group} ${percent}%`)
    .join(', ');

const startedAt = new Date();
const world = await startBenchWorld({ label: 'accept', env: nodeOptions });
let baseline: { process: ServiceProcess; url: string } | undefined;
try {
  await world.startApi();
  const targets = await createExportTargets(world, 1);
  const destinationId = targets.destinations[0] as string;
  const datasetId = targets.datasets[0] as string;
  const ourBody = JSON.stringify({ datasetId, destinationId, path: 'bench/accept', format: 'parquet', compression: 'gzip' });
  const baselineBody = JSON.stringify({ datasetId, path: 'bench/baseline', format: 'parquet', compression: 'gzip' });
  baseline = await startBaseline(world, destinationId);

  const ours: Target = {
    name: 'ours',
    url: world.api.url,
    // Every request carries its own Idempotency-Key: the durable, retry-safe path clients should use.
    headers: () => ({ authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
  };
  const naive: Target = { name: 'baseline', url: baseline.url, headers: () => ({ 'content-type': 'application/json' }) };
  const bodyOf = (target: Target): string => (target.name === 'ours' ? ourBody : baselineBody);

  // Warm-up: JIT, connection pools, our dataset-facts cache.
  for (const target of [naive, ours]) await measureClosed(target, bodyOf(target), 0, warmupSeconds);

  // Alternate the two so drift (autovacuum, table growth) hits both alike.
  const closed: ClosedRun[] = [];
  for (let round = 1; round <= (fixedRate === undefined ? rounds : 0); round++) {
    for (const target of [naive, ours]) closed.push(await measureClosed(target, bodyOf(target), round, durationSeconds));
  }
  const oursRuns = closed.filter((r) => r.target === 'ours');
  const baselineRuns = closed.filter((r) => r.target === 'baseline');
  const oursRate = fixedRate ?? mean(oursRuns.map((r) => r.requestsPerSecond));
  const baselineRate = mean(baselineRuns.map((r) => r.requestsPerSecond));
  const ratio = Math.round((oursRate / baselineRate) * 100) / 100;

  // Open loop at fixed shares of our closed-loop maximum, the same rates for both.
  const open: Awaited<ReturnType<typeof measureOpen>>[] = [];
  for (const share of openLoopShares) {
    const rate = Math.max(10, Math.round(oursRate * share));
    for (const target of [naive, ours]) open.push(await measureOpen(target, bodyOf(target), rate));
  }
  if (samplesDir !== undefined) await writeSamples(samplesDir, open);

  // Profile our API under the closed-loop load (a separate API process with --cpu-prof).
  const profile = fixedRate === undefined ? await profileOurApi(world, ours, ourBody) : undefined;


  // Durable acceptance: every 2xx answer has its committed row.
  const { rows: counted } = await world.pool.query<{ path: string; n: string }>(`SELECT path, count(*)::text AS n FROM exports GROUP BY path`);
  const rowsByPath = Object.fromEntries(counted.map((r) => [r.path, Number(r.n)]));
  const oursAnswered = [...closed, ...open].filter((r) => r.target === 'ours').reduce((sum, r) => sum + ('ok2xx' in r ? r.ok2xx : r.ok + r.warmupOk), 0) + (profile?.run.ok2xx ?? 0);
  const lost = oursAnswered - (rowsByPath['bench/accept'] ?? 0);

  printTable(
    `POST /exports, closed loop, ${connections} connections, ${durationSeconds} s per run`,
    closed.map((r) => ({
      target: r.target,
      round: r.round,
      'req/s': r.requestsPerSecond,
      'p50 ms': r.latencyP50Ms,
      'p99 ms': r.latencyP99Ms,
      'max ms': r.latencyMaxMs,
      '2xx': r.ok2xx,
      'non-2xx': r.non2xx,
      errors: r.errors + r.timeouts,
      cpu: cpuLine(r.cpu),
    })),
  );
  printTable('Ratio (ours / naive baseline, mean of rounds); target >= 1.0 and our p99 <= 50 ms', [
    { 'ours req/s': Math.round(oursRate), 'baseline req/s': Math.round(baselineRate), ratio, 'ours worst p99 ms': Math.max(...oursRuns.map((r) => r.latencyP99Ms)) },
  ]);
  printTable(
    `POST /exports, open loop (latency from the scheduled send), ${durationSeconds} s per rate after ${openWarmupSeconds} s of warm-up at it`,
    open.map((r) => ({
      target: r.target,
      'rate/s': r.targetRate,
      'achieved/s': r.achievedRate,
      'p50 ms': r.latency.p50Ms,
      'p99 ms': r.latency.p99Ms,
      'max ms': r.latency.maxMs,
      'send lag p99 ms': r.sendLag.p99Ms,
      sockets: openConnections(r.targetRate),
      errors: r.errors,
      cpu: cpuLine(r.cpu),
    })),
  );
  printTable(
    "Our API's own view of each open-loop run (GC pauses, event-loop delay, share of POST /exports the server answered within a bound)",
    open.flatMap((r) =>
      r.server === undefined
        ? []
        : [
            {
              'rate/s': r.targetRate,
              gc: Object.entries(r.server.gcPauses).filter(([, g]) => g.count > 0).map(([kind, g]) => `${kind} ${g.count}× ${g.totalMs} ms`).join(', '),
              'loop delay p99 ms': r.server.eventLoopDelayP99Ms,
              'loop delay max ms': r.server.eventLoopDelayMaxMs,
              ...Object.fromEntries(['10 ms', '25 ms', '50 ms', '100 ms'].map((bound) => [`≤ ${bound}`, r.server?.serverShareWithin[bound] ?? null])),
            },
          ],
    ),
  );
  if (profile !== undefined) {
    printTable(`Where our API's CPU goes (self time, ${profile.busyMs} ms busy, ${profile.idlePercent}% idle)`, profile.byOwner.map((o) => ({ owner: o.name, '%': o.percent })));
    printTable('Hottest functions', profile.topFunctions.map((f) => ({ function: f.name, '%': f.percent })));
  }
  printTable('Durability', [{ 'ours 2xx answers': oursAnswered, 'rows committed': rowsByPath['bench/accept'] ?? 0, 'answered but missing': Math.max(lost, 0) }]);

  const file = await writeResult(
    'accept',
    startedAt,
    { connections, durationSeconds, warmupSeconds, rounds, openLoopShares, openWarmupSeconds, idempotencyKeyPerRequest: true },
    { closed, ratio: { oursRate, baselineRate, ratio }, open: open.map(({ samples: _samples, ...rest }) => rest), profile, durability: { oursAnswered, rowsByPath } },
  );
  console.log(`\nwrote ${file}`);
  if (lost > 0) {
    console.error(`${lost} accepted exports have no row`);
    process.exitCode = 1;
  }
} finally {
  await baseline?.process.stop();
  await world.close();
}

// "Half the maximum rate" for the memory run. The maximum end-to-end rate is the lower of the API's
// accept throughput and the worker's export throughput: taken from bench/results/accept.json and
// worker.json (0 ms simulator) when those runs exist, else calibrated here with one batch posted
// as fast as 50 connections allow (accept rate) and timed until its last export finished
// (end-to-end rate, API and worker sharing the machine).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { postExports, type BenchWorld } from './lib/bench-world.js';
import { waitUntilTerminal } from './lib/export-rows.js';
import type { ExportSpec } from '../test/support/chaos/export-batch.js';

export interface MaxRate {
  perSecond: number;
  /** Where the figure comes from: a results file (and whether that was a BENCH_QUICK run) or calibration here. */
  source: string;
}

export interface RateChoice {
  accept: MaxRate;
  worker: MaxRate;
  /** min(accept, worker) / 2, in exports per second. */
  halfMaxRate: number;
}

const AcceptResultSchema = z.object({
  startedAt: z.string(),
  results: z.object({ ratio: z.object({ oursRate: z.number().positive() }) }),
});
const WorkerResultSchema = z.object({
  startedAt: z.string(),
  settings: z.object({ quick: z.boolean().optional() }),
  results: z.array(z.object({ latencyMs: z.number(), throughput: z.object({ exportsPerSecond: z.number().positive() }) })),
});

async function readResult(name: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(new URL(`results/${name}.json`, import.meta.url), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The accept and 0 ms worker maxima from earlier benchmark runs; undefined when absent or unreadable. */
export async function maxRatesFromResults(): Promise<{ accept?: MaxRate; worker?: MaxRate }> {
  const accept = AcceptResultSchema.safeParse(await readResult('accept'));
  const worker = WorkerResultSchema.safeParse(await readResult('worker'));
  const atZeroMs = worker.success ? worker.data.results.find((r) => r.latencyMs === 0) : undefined;
  return {
    ...(accept.success ? { accept: { perSecond: accept.data.results.ratio.oursRate, source: `bench/results/accept.json of ${accept.data.startedAt}` } } : {}),
    ...(worker.success && atZeroMs
      ? { worker: { perSecond: atZeroMs.throughput.exportsPerSecond, source: `bench/results/worker.json of ${worker.data.startedAt}${worker.data.settings.quick ? ' (BENCH_QUICK run)' : ''}` } }
      : {}),
  };
}

export interface Calibration {
  exports: number;
  acceptPerSecond: number;
  endToEndPerSecond: number;
}

/** Posts `specs` at 50 connections, then waits for the last one to finish. */
export async function calibrate(world: BenchWorld, specs: ExportSpec[], timeoutMs: number): Promise<Calibration> {
  const startedAt = Date.now();
  const { accepted } = await postExports(world, specs, 50);
  const acceptSeconds = (Date.now() - startedAt) / 1000;
  const done = await waitUntilTerminal(world.pool, accepted, { timeoutMs });
  const endToEndSeconds = ((done.lastFinishedAt ?? Date.now()) - startedAt) / 1000;
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { exports: accepted.length, acceptPerSecond: round(accepted.length / acceptSeconds), endToEndPerSecond: round(accepted.length / endToEndSeconds) };
}

export function chooseRate(accept: MaxRate, worker: MaxRate): RateChoice {
  return { accept, worker, halfMaxRate: Math.round((Math.min(accept.perSecond, worker.perSecond) / 2) * 10) / 10 };
}

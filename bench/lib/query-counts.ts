// SQL statements sent by each process during a benchmark, when its processes were started with
// the bench/lib/count-queries.mjs preload (BENCH_NODE_ARGS giving them `--import <that file>`,
// see test/support/processes.ts): a snapshot asks each such process for its counts
// (SIGUSR2) and reads what it wrote; the difference of two snapshots is what a phase cost.
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Counts by statement text, by process (file name: `<entry>-<pid>`). */
export type QueryCounts = Map<string, Map<string, number>>;

async function preloadedPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('count-queries.mjs')) pids.push(pid);
  }
  return pids;
}

/** The counts of every counting process now, or null when no process counts. */
export async function snapshotQueryCounts(): Promise<QueryCounts | null> {
  const pids = await preloadedPids();
  if (pids.length === 0) return null;
  const dir = join(tmpdir(), 'bench-query-counts');
  await sleep(500);
  const counts: QueryCounts = new Map();
  for (const file of await readdir(dir)) {
    if (!pids.some((pid) => file.endsWith(`-${pid}.json`))) continue;
    const parsed = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, number>;
    counts.set(file.replace(/\.json$/, ''), new Map(Object.entries(parsed)));
  }
  return counts;
}

export interface StatementsPerUnit {
  process: string;
  total: number;
  /** The most frequent statements, per unit. */
  top: { statement: string; perUnit: number }[];
}

/** Statements per unit of work (e.g. per export) between two snapshots, by process. */
export function statementsPer(before: QueryCounts, after: QueryCounts, units: number, topN = 25): StatementsPerUnit[] {
  return [...after].map(([process, counts]) => {
    const earlier = before.get(process) ?? new Map<string, number>();
    const deltas = [...counts].map(([statement, n]) => ({ statement, n: n - (earlier.get(statement) ?? 0) })).filter((d) => d.n > 0);
    const round = (n: number): number => Math.round((n / units) * 100) / 100;
    return {
      process,
      total: round(deltas.reduce((sum, d) => sum + d.n, 0)),
      top: deltas
        .sort((a, b) => b.n - a.n)
        .slice(0, topN)
        .map((d) => ({ statement: d.statement, perUnit: round(d.n) })),
    };
  });
}

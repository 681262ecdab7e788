// Where the CPU goes during a benchmark: CPU time of every process on the machine between start()
// and stop(), grouped into the parts of the system (API, worker, simulator, Postgres, Redis, the
// load generator). Read from /proc, so it needs Linux; it shows which process saturates.
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** USER_HZ: the unit of /proc/<pid>/stat CPU times, 100 on every mainstream Linux. */
const clockTicksPerSecond = 100;

export type ProcessGroup = 'api' | 'worker' | 'simulator' | 'baseline' | 'postgres' | 'redis' | 'load generator' | 'other';

/**
 * The processes of one benchmark's world, when other work shares the machine: node processes run
 * from this checkout, Postgres backends of these databases (their title names the database), the
 * Redis on this port. Everything else counts as `other`.
 */
export interface OwnProcesses {
  repoRoot: string;
  databases: string[];
  redisPort?: number;
}

function isOwn(own: OwnProcesses, comm: string, cmdline: string): boolean {
  if (comm === 'postgres') return own.databases.some((db) => cmdline.includes(` ${db} `));
  if (comm.startsWith('redis-server')) return own.redisPort !== undefined && cmdline.includes(`:${own.redisPort}`);
  return cmdline.includes(own.repoRoot);
}

/** Which part of the system a process is, from its command line. */
function groupOf(pid: number, comm: string, cmdline: string, own?: OwnProcesses): ProcessGroup {
  if (pid === process.pid) return 'load generator';
  if (own !== undefined && !isOwn(own, comm, cmdline)) return 'other';
  if (comm === 'postgres') return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis';
  if (cmdline.includes('src/server.ts')) return 'api';
  if (cmdline.includes('src/worker.ts')) return 'worker';
  if (cmdline.includes('simulator/main.ts')) return 'simulator';
  if (cmdline.includes('bench/baseline-server.ts')) return 'baseline';
  return 'other';
}

interface Sample {
  group: ProcessGroup;
  cpuTicks: number;
}

async function sampleAll(own?: OwnProcesses): Promise<Map<number, Sample>> {
  const samples = new Map<number, Sample>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // comm may contain spaces; the fields after it start behind the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      samples.set(pid, { group: groupOf(pid, comm, cmdline, own), cpuTicks });
    } catch {
      // the process ended meanwhile
    }
  }
  return samples;
}

export interface CpuUsage {
  /** Percent of one core, averaged over the interval, by group (busiest first). */
  byGroup: Record<string, number>;
  /** The whole machine's capacity in the same unit (cores x 100). */
  capacityPercent: number;
  seconds: number;
}

export interface CpuMeter {
  stop(): Promise<CpuUsage>;
}

/** `own`: count only these processes in their groups (the rest as `other`). */
export async function startCpuMeter(own?: OwnProcesses): Promise<CpuMeter> {
  const before = await sampleAll(own);
  const startedAt = performance.now();
  return {
    async stop() {
      const after = await sampleAll(own);
      const seconds = (performance.now() - startedAt) / 1000;
      const totals = new Map<string, number>();
      for (const [pid, sample] of after) {
        const used = sample.cpuTicks - (before.get(pid)?.cpuTicks ?? 0);
        if (used > 0) totals.set(sample.group, (totals.get(sample.group) ?? 0) + used);
      }
      const byGroup: Record<string, number> = {};
      for (const [group, ticks] of [...totals].sort((a, b) => b[1] - a[1])) {
        byGroup[group] = Math.round((ticks / clockTicksPerSecond / seconds) * 1000) / 10;
      }
      return { byGroup, capacityPercent: availableParallelism() * 100, seconds: Math.round(seconds * 10) / 10 };
    },
  };
}

/** Resident set size of one process in MiB (VmRSS), or null once it has exited. */
export async function rssMiB(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kib) ? Math.round((kib / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

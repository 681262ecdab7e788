// RSS of the API and worker processes sampled on a fixed period while the load runs, and the
// figures that tell a leak from warm-up growth: the peak, and the least-squares slope over the last
// half of the run (a heap that has settled grows ~0 MiB/min there; a leak keeps its slope).
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMiB } from './lib/process-usage.js';

export type ProcessName = 'api' | 'worker';

export interface RssSample {
  /** Seconds since the sampler started. */
  atSeconds: number;
  api: number | null;
  worker: number | null;
  /** Exports still queued or in progress at that moment (the worker keeping up or not). */
  activeExports: number;
}

export interface RssSampler {
  stop(): Promise<RssSample[]>;
}

export function startRssSampler(pids: Record<ProcessName, number>, everyMs: number, activeExports: () => Promise<number>): RssSampler {
  const samples: RssSample[] = [];
  const startedAt = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const [api, worker, active] = await Promise.all([rssMiB(pids.api), rssMiB(pids.worker), activeExports()]);
      samples.push({ atSeconds: Math.round((performance.now() - startedAt) / 100) / 10, api, worker, activeExports: active });
      // Sleep to the next period boundary so the samples stay evenly spaced.
      const next = everyMs * (Math.floor((performance.now() - startedAt) / everyMs) + 1);
      await sleep(Math.max(0, next - (performance.now() - startedAt)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

export function peakMiB(samples: RssSample[], name: ProcessName): number | null {
  const values = samples.map((s) => s[name]).filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.max(...values);
}

/** Least-squares slope of RSS over the samples taken from `fromSeconds` to `toSeconds`, in MiB per minute. */
export function slopeMiBPerMinute(samples: RssSample[], name: ProcessName, fromSeconds: number, toSeconds: number): number | null {
  const points = samples.filter((s) => s.atSeconds >= fromSeconds && s.atSeconds <= toSeconds && s[name] !== null).map((s) => ({ x: s.atSeconds / 60, y: s[name] as number }));
  if (points.length < 3) return null;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  const covariance = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const variance = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return variance === 0 ? null : Math.round((covariance / variance) * 100) / 100;
}

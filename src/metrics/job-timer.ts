// Times one job activation for `aepj_job_duration_seconds`. The caller names the outcome when the
// activation ends: how the job finished (finished, failed, cancelled, duplicate, ...), `waiting`
// when it re-scheduled itself to wait for the Platform, or `error` when it threw.
import { performance } from 'node:perf_hooks';
import type { ServiceMetrics } from './service-metrics.js';

export type JobTimer = (outcome: string) => void;

export function startJobTimer(metrics: ServiceMetrics | undefined, queue: string, job: string): JobTimer {
  const started = performance.now();
  let stopped = false;
  return (outcome) => {
    if (stopped || !metrics) return;
    stopped = true;
    metrics.jobDuration.observe({ queue, job, outcome }, (performance.now() - started) / 1000);
  };
}

// Where a run stands, from `metrics.statusSummary.status`. Sources disagree on casing and words
// (`success`, `Success`, `failed`, `inProgress`, `Processing`, `Waiting`), so compare loosely;
// anything not clearly finished is still in progress.
import { runFailureError, type PlatformError } from './errors.js';
import type { Run, RunOutcome } from './types.js';

const SUCCEEDED = new Set(['success', 'succeeded', 'completed']);
const FAILED = new Set(['failed', 'failure', 'error', 'cancelled', 'canceled']);

export function runOutcomeOf(run: Run): RunOutcome {
  const status = run.metrics?.statusSummary?.status?.trim().toLowerCase() ?? '';
  if (SUCCEEDED.has(status)) return 'success';
  if (FAILED.has(status)) return 'failed';
  return 'in_progress';
}

/** The error to record for a failed run (permanent, with the run's error code), else null. */
export function runFailureOf(run: Run): PlatformError | null {
  return runOutcomeOf(run) === 'failed' ? runFailureError(run) : null;
}

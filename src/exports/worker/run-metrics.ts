// Reads a Platform run: how it ended (statusSummary.status, compared case-insensitively) and what
// it wrote (files, bytes, records from the run's metrics, reference 2.7).
import type { Run, RunOutcome } from '../../platform/types.js';

export function runOutcomeOf(run: Run): RunOutcome {
  const status = run.metrics?.statusSummary?.status?.toLowerCase() ?? '';
  if (status === 'success' || status === 'succeeded' || status === 'completed') return 'success';
  if (status === 'failed' || status === 'failure' || status === 'error') return 'failed';
  return 'in_progress';
}

export interface RunOutput {
  files: number | null;
  bytes: bigint | null;
  records: bigint | null;
}

export function runOutputOf(run: Run): RunOutput {
  const m = run.metrics;
  const files = m?.fileSummary?.outputFileCount;
  const bytes = m?.sizeSummary?.outputBytes;
  const records = m?.recordSummary?.outputRecordCount;
  return {
    files: files === undefined ? null : Math.trunc(files),
    bytes: bytes === undefined ? null : BigInt(Math.trunc(bytes)),
    records: records === undefined ? null : BigInt(Math.trunc(records)),
  };
}

/** The run's own errors, as stored on the ExportRun. */
export function runErrorsOf(run: Run): { code?: string; message?: string }[] {
  return (run.metrics?.statusSummary?.errors ?? []).map((e) => ({
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.message === undefined ? {} : { message: e.message }),
  }));
}

export function completedAtOf(run: Run, fallbackMs: number): Date {
  return new Date(run.metrics?.durationSummary?.completedAtUTC ?? fallbackMs);
}

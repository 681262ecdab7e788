// Fencing of a job's row: a claim bumps the row's `attempts`, and every later write is a
// compare-and-set on (id, attempts, status). A write that matches nothing means the row moved
// (cancelled by the API, or claimed by another activation); the activation stops with this error
// and decides again from a fresh read. Exports (src/exports/worker/fenced-export.ts) and pipelines
// (src/pipelines/worker/fenced-pipeline.ts) fence their own tables this way.

/** This activation no longer owns the row: reload it and decide again. */
export class LostClaimError extends Error {
  override name = 'LostClaimError';
}

// Deterministic names and tokens of what a pipeline step creates outside: the same pipeline, step
// and generation (bumped by a retry) always give the same name, so after a crash or a lost answer
// the worker looks the object up by it (or, for ML runs, Databricks dedupes by the token) instead
// of creating a second one.
import { stableHash } from '../../jobs/stable-hash.js';

export interface StepIdentity {
  pipelineId: string;
  stepName: string;
  generation: number;
}

export function stepHash(step: StepIdentity, length = 16): string {
  return stableHash(['aepjobs-pipeline', step.pipelineId, step.stepName, step.generation], length);
}

/** The CTAS table: `<prefix>_<hash>`, a lowercase identifier unique to this step run. */
export function ctasTableName(step: StepIdentity, prefix: string | undefined): string {
  const base = (prefix ?? `aepjobs_${step.stepName}`).toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  return `${base}_${stepHash(step, 12)}`;
}

/** `aepjobs-<kind>-<hash>` for Flow Service objects, segment names, batch external ids. */
export function externalName(kind: string, step: StepIdentity): string {
  return `aepjobs-${kind}-${stepHash(step, 24)}`;
}

/** Databricks' idempotency_token (at most 64 characters). */
export function mlIdempotencyToken(step: StepIdentity): string {
  return `aepjobs-${stepHash(step, 40)}`;
}

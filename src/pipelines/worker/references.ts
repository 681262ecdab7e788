// Resolves a step's `{fromStep, output}` references from the outputs earlier steps recorded. The
// definition was checked before the pipeline started, so a missing output here means an earlier
// step finished without it: the step fails naming the reference instead of guessing.
import type { PipelineStep } from '../../generated/prisma/client.js';
import { isStepRef, type PipelineStepDefinition } from '../pipeline-definition.js';
import { jsonRecord } from './pipeline-model.js';

export type Resolution = { ok: true; definition: PipelineStepDefinition } | { ok: false; message: string };

export function resolveReferences(definition: PipelineStepDefinition, steps: readonly PipelineStep[]): Resolution {
  const resolved: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(definition)) {
    if (!isStepRef(value)) {
      resolved[field] = value;
      continue;
    }
    const source = steps.find((s) => s.name === value.fromStep);
    const output = source?.state === 'succeeded' ? jsonRecord(source.outputs)[value.output] : undefined;
    if (output === undefined || output === null) {
      return { ok: false, message: `${field} refers to output "${value.output}" of step "${value.fromStep}", which it did not produce.` };
    }
    resolved[field] = output;
  }
  return { ok: true, definition: resolved as PipelineStepDefinition };
}

/** A reference-or-literal input after resolution: always the literal (a leftover reference is a bug). */
export function resolvedText(value: unknown): string {
  if (typeof value !== 'string') throw new Error('a step input was not resolved before the step ran');
  return value;
}

// The "IfNotExists" the Platform lacks: look the object up by its deterministic name, create it
// only when absent, and after a create whose answer was lost look again before giving up.
import { PlatformError } from '../platform/errors.js';
import type { CrashPoint } from './crash-points.js';

export interface FindOrCreate {
  /** Hook point name for the crash tests (the step). */
  step: string;
  crash: CrashPoint;
  find: () => Promise<{ id: string } | null>;
  create: () => Promise<{ id: string }>;
}

export async function findOrCreate(spec: FindOrCreate): Promise<{ id: string; created: boolean }> {
  const existing = await spec.find();
  if (existing) return { id: existing.id, created: false };
  spec.crash(spec.step, 'before');
  try {
    const created = await spec.create();
    spec.crash(spec.step, 'after');
    return { id: created.id, created: true };
  } catch (error) {
    if (!(error instanceof PlatformError && error.ambiguous)) throw error;
    // The Platform may have applied the create before the answer was lost.
    const applied = await spec.find();
    if (applied) return { id: applied.id, created: true };
    throw error;
  }
}

// Another worker holds the creation lock of a shared Platform object: come back in a moment
// (jittered so the waiters do not retry together) instead of blocking a slot on the lock.
import { wait, type StepContext, type StepEnd } from '../step-context.js';

const LOCK_RETRY_MIN_MS = 200;
const LOCK_RETRY_SPREAD_MS = 800;

export function lockBusy(ctx: StepContext, reason: string): StepEnd {
  return wait(LOCK_RETRY_MIN_MS + Math.round(ctx.random() * LOCK_RETRY_SPREAD_MS), 'running', reason);
}

// Background completion of due runs and firing of scheduled ones (run-scheduler.ts). Ticks never overlap; a failed tick (e.g. the pool closing)
// is retried by the next one, and reads complete due runs themselves anyway.
import type { SimulatorContext } from '../context.js';
import { runEngineFor } from './run-engine.js';
import { fireDueScheduledRuns } from './run-scheduler.js';

/** How often to look for due runs: a quarter of a run's duration, between 100 ms and 1 s. */
function tickIntervalMs(ctx: SimulatorContext): number {
  return Math.min(1000, Math.max(100, (ctx.config.runDurationSeconds * 1000) / 4));
}

export function startRunTicker(ctx: SimulatorContext): () => Promise<void> {
  const engine = runEngineFor(ctx);
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (stopped || inFlight !== null) return;
    inFlight = engine
      .completeDueRuns()
      .then(() => fireDueScheduledRuns(ctx))
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        inFlight = null;
      });
  };
  const timer = setInterval(tick, tickIntervalMs(ctx));
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await inFlight;
  };
}

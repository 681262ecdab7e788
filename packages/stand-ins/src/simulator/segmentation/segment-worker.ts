// Background evaluation of segment jobs: claims due NEW jobs (and PROCESSING jobs whose worker
// went quiet, e.g. a restart mid-evaluation) and evaluates them one by one.
import type { SimulatorContext } from '../context.js';
import { startTicker } from '../query/ticker.js';
import { segmentServiceFor } from './segment-service.js';

const TICK_MS = 200;
const STALE_AFTER_MS = 60_000;

export function startSegmentWorker(ctx: SimulatorContext): () => Promise<void> {
  const service = segmentServiceFor(ctx);
  return startTicker(TICK_MS, async () => {
    const wallMs = Date.now();
    for (const job of await service.store.claimDue(ctx.now(), wallMs, wallMs - STALE_AFTER_MS, 5)) await service.evaluate(job);
  });
}

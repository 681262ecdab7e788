// A background loop for the pipeline workers (queries, batches, segment jobs): ticks never
// overlap, a failed tick (e.g. the pool closing) is retried by the next one, and stop() waits for
// the tick in flight.

export function startTicker(intervalMs: number, tick: () => Promise<unknown>): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const run = (): void => {
    if (stopped || inFlight !== null) return;
    inFlight = tick()
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        inFlight = null;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await inFlight;
  };
}

// What the export and pipeline sweepers share: the loop that sweeps every interval (never two sweeps
// at once, stopped cleanly), and dropping kept jobs that would absorb a re-enqueue of their id.
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

export interface RunningSweeper {
  stop(): Promise<void>;
}

/** A job kept as completed or failed blocks its id; drop it so the re-enqueue takes. */
export async function releaseFinishedJobs(queue: Queue, ids: string[]): Promise<void> {
  for (const id of ids) {
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') await queue.remove(id);
  }
}

/** Runs `sweep` every `intervalMs` after the previous one ended; `what` names the rows in the logs. */
export function startSweepLoop(sweep: () => Promise<string[]>, intervalMs: number, log: Logger, what: 'exports' | 'pipelines' | 'pipeline schedules'): RunningSweeper {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = (): void => {
    inFlight = sweep()
      .then((ids) => {
        if (ids.length > 0) log.info({ count: ids.length }, `sweeper re-enqueued overdue ${what}`);
      })
      .catch((err: unknown) => log.warn({ err }, `sweep of ${what} failed; will try again`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

// Export rows as a benchmark watches them, read straight from the service's database: how many
// are in each status and when the last one finished (the worker's own clock, so a drain time
// ends at the real finish, not at the next poll of this process).
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { activeExportStatuses } from '../../src/exports/export-status.js';

export interface ExportProgress {
  total: number;
  /** Rows the worker still has to do something with (queued, running, waiting_for_platform). */
  active: number;
  byStatus: Record<string, number>;
  /** Epoch ms of the latest finishedAt among these rows, null when none finished. */
  lastFinishedAt: number | null;
}

const active: readonly string[] = activeExportStatuses;

/** Status counts of the given export rows (all rows of the database when `ids` is omitted). */
export async function exportProgress(pool: pg.Pool, ids?: readonly string[]): Promise<ExportProgress> {
  const where = ids === undefined ? '' : 'WHERE id = ANY($1::uuid[])';
  const { rows } = await pool.query<{ status: string; n: number; last: Date | null }>(
    `SELECT status, count(*)::int AS n, max(finished_at) AS last FROM exports ${where} GROUP BY status`,
    ids === undefined ? [] : [ids],
  );
  const byStatus: Record<string, number> = {};
  let total = 0;
  let open = 0;
  let lastFinishedAt: number | null = null;
  for (const row of rows) {
    byStatus[row.status] = row.n;
    total += row.n;
    if (active.includes(row.status)) open += row.n;
    if (row.last !== null) lastFinishedAt = Math.max(lastFinishedAt ?? 0, row.last.getTime());
  }
  return { total, active: open, byStatus, lastFinishedAt };
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  /** Fail early when no export finished for this long (a wedged system should not hold a run for timeoutMs). */
  stallMs?: number;
  /** Called after every poll (e.g. to sample the queue depth). */
  onPoll?: (progress: ExportProgress) => Promise<void> | void;
}

/** Resolves once none of `ids` is active; throws with the status counts after timeoutMs. */
export async function waitUntilTerminal(pool: pg.Pool, ids: readonly string[], options: WaitOptions): Promise<ExportProgress> {
  const until = Date.now() + options.timeoutMs;
  let lastActive = Number.POSITIVE_INFINITY;
  let lastChangeAt = Date.now();
  for (;;) {
    const progress = await exportProgress(pool, ids);
    await options.onPoll?.(progress);
    if (progress.active === 0 && progress.total === ids.length) return progress;
    if (progress.active !== lastActive) {
      lastActive = progress.active;
      lastChangeAt = Date.now();
    }
    const stalled = options.stallMs !== undefined && Date.now() - lastChangeAt > options.stallMs;
    if (Date.now() > until || stalled) {
      const why = stalled ? `no export finished for ${options.stallMs} ms` : `not terminal after ${options.timeoutMs} ms`;
      throw new Error(`exports ${why}: ${JSON.stringify(progress.byStatus)} of ${ids.length}; ${await longTransactions(pool)}`);
    }
    await sleep(options.pollMs ?? 200);
  }
}

/** Sessions idle in a transaction for over 10 s on the whole server (a wedged pool shows here), for a failure message. */
async function longTransactions(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ datname: string; n: number; query: string }>(
    `SELECT datname, count(*)::int AS n, left(query, 120) AS query FROM pg_stat_activity
     WHERE state = 'idle in transaction' AND now() - state_change > interval '10 seconds'
     GROUP BY datname, left(query, 120) ORDER BY n DESC LIMIT 5`,
  );
  return rows.length === 0 ? 'no long idle transactions' : `long idle transactions: ${rows.map((r) => `${r.n} in ${r.datname} after "${r.query}"`).join('; ')}`;
}

// The accept write with group commit: exports accepted while a write is in flight are written
// together by the next one (acceptExports: one multi-row statement with their Idempotency-Keys and
// requested runs), and their jobs added with one addBulk once it committed. Each request gets its
// own outcome; a batch whose statement fails is written again one export at a time, so one bad
// request fails alone (src/db/group-commit.ts).
// The write slot is held only until the commit returns: the addBulk runs outside it, so the next
// group's statement overlaps this group's enqueue instead of waiting for Redis (the slot held
// through both left the API about a quarter idle at 50 connections). Each request still waits for
// its group's enqueue before it is answered, so an answer still means "committed and handed to the
// queue, or left to the sweeper" exactly as before.
import type { Logger } from 'pino';
import type { DbOrTx } from '../db/client.js';
import { createGroupCommit } from '../db/group-commit.js';
import { enqueueManyAfterCommit } from '../jobs/enqueue-after-commit.js';
import type { JobProducer } from '../jobs/queue.js';
import { acceptExports, type AcceptItem, type AcceptOutcome } from './export-store.js';
import { createCrashPoint } from '../jobs/crash-points.js';

export interface ExportAcceptorOptions {
  db: DbOrTx;
  producer: Pick<JobProducer, 'enqueueMany'>;
  logger: Pick<Logger, 'warn'>;
  /** The most exports in one statement. */
  maxBatch: number;
  /** The longest an accept waits for a write in flight before its own starts. */
  maxWaitMs: number;
  /** TEST ONLY: `accept_write:before|after` or `accept_enqueue:after` makes the API SIGKILL itself there. */
  crashAt?: string | undefined;
}

export type ExportAcceptor = (item: AcceptItem) => Promise<AcceptOutcome>;

/** One export's outcome, and its group's enqueue (never rejects: enqueueManyAfterCommit is best effort). */
interface Committed {
  outcome: AcceptOutcome;
  enqueued: Promise<unknown>;
}

export function createExportAcceptor(opts: ExportAcceptorOptions): ExportAcceptor {
  const crash = createCrashPoint(opts.crashAt);
  const group = createGroupCommit<AcceptItem, Committed>({
    maxBatch: opts.maxBatch,
    maxWaitMs: opts.maxWaitMs,
    // One key twice in a statement would be one insert; the second waits and then replays.
    conflictKey: (item) => (item.idempotency ? `${item.input.tenantId}\n${item.idempotency.key}` : undefined),
    async writeBatch(items) {
      crash('accept_write', 'before');
      const outcomes = await acceptExports(opts.db, items);
      crash('accept_write', 'after');
      const inserted = items.filter((_, i) => outcomes[i]?.kind === 'inserted').map((item) => ({ exportId: item.id }));
      // Started, not awaited: returning frees the slot for the next group.
      const enqueued = enqueueManyAfterCommit(opts.producer, 'export.run', inserted, 'export', opts.logger).then(() => crash('accept_enqueue', 'after'));
      return outcomes.map((outcome) => ({ outcome, enqueued }));
    },
    onBatchError: (err, size) => opts.logger.warn({ err, size }, 'a group accept failed; writing its exports one by one'),
  });
  return async (item) => {
    const { outcome, enqueued } = await group.write(item);
    await enqueued;
    return outcome;
  };
}

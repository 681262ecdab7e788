// The accept write with group commit: exports accepted while a write is in flight are written
// together by the next one (acceptExports: one multi-row statement with their Idempotency-Keys and
// requested runs), and their jobs added with one addBulk once it committed. Each request gets its
// own outcome; a batch whose statement fails is written again one export at a time, so one bad
// request fails alone (src/db/group-commit.ts).
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

export function createExportAcceptor(opts: ExportAcceptorOptions): ExportAcceptor {
  const crash = createCrashPoint(opts.crashAt);
  const group = createGroupCommit<AcceptItem, AcceptOutcome>({
    maxBatch: opts.maxBatch,
    maxWaitMs: opts.maxWaitMs,
    // One key twice in a statement would be one insert; the second waits and then replays.
    conflictKey: (item) => (item.idempotency ? `${item.input.tenantId}\n${item.idempotency.key}` : undefined),
    async writeBatch(items) {
      crash('accept_write', 'before');
      const outcomes = await acceptExports(opts.db, items);
      crash('accept_write', 'after');
      const inserted = items.filter((_, i) => outcomes[i]?.kind === 'inserted').map((item) => ({ exportId: item.id }));
      await enqueueManyAfterCommit(opts.producer, 'export.run', inserted, 'export', opts.logger);
      crash('accept_enqueue', 'after');
      return outcomes;
    },
    onBatchError: (err, size) => opts.logger.warn({ err, size }, 'a group accept failed; writing its exports one by one'),
  });
  return (item) => group.write(item);
}

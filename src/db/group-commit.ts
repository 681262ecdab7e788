// Group commit: requests that arrive while a write is in flight are written together by the next
// write (one multi-row statement instead of one statement each). A request waits for at most one
// write in flight, and never longer than maxWaitMs before its own write starts: past that, another
// write starts beside the slow one. Each item still gets its own result or error; when a whole
// batch fails, its items are written one by one, so one bad item fails alone. No library does
// this for an arbitrary statement (pg and Prisma pipeline nothing across requests), hence our own.

export interface GroupCommitOptions<I, O> {
  /** Writes the items in one go; returns one result per item, in order. */
  writeBatch(items: I[]): Promise<O[]>;
  /** The most items in one write. */
  maxBatch: number;
  /** The longest an item waits for a write in flight before its own write starts anyway. */
  maxWaitMs: number;
  /** Items that may not share a write (e.g. the same Idempotency-Key twice); the later waits for the next. */
  conflictKey?: (item: I) => string | undefined;
  /** Told when a batch failed and its items are written one by one. */
  onBatchError?: (error: unknown, size: number) => void;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

export interface GroupCommit<I, O> {
  write(item: I): Promise<O>;
  /** Items waiting or being written (for tests and metrics). */
  readonly pending: number;
}

export function createGroupCommit<I, O>(opts: GroupCommitOptions<I, O>): GroupCommit<I, O> {
  let queue: Pending<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let waitTimer: NodeJS.Timeout | undefined;
  let writing = 0;

  /** Takes up to maxBatch items, leaving behind any whose conflict key is already in this batch. */
  function takeBatch(): Pending<I, O>[] {
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const seen = new Set<string>();
    for (const entry of queue) {
      const key = opts.conflictKey?.(entry.item);
      if (batch.length >= opts.maxBatch || (key !== undefined && seen.has(key))) {
        rest.push(entry);
        continue;
      }
      if (key !== undefined) seen.add(key);
      batch.push(entry);
    }
    queue = rest;
    return batch;
  }

  async function writeOneByOne(batch: Pending<I, O>[]): Promise<void> {
    await Promise.all(
      batch.map(async (entry) => {
        try {
          const [result] = await opts.writeBatch([entry.item]);
          entry.resolve(result as O);
        } catch (error) {
          entry.reject(error);
        }
      }),
    );
  }

  async function run(batch: Pending<I, O>[]): Promise<void> {
    inFlight++;
    writing += batch.length;
    try {
      const results = await opts.writeBatch(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`a batch write gave ${results.length} results for ${batch.length} items`);
      batch.forEach((entry, i) => entry.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else {
        opts.onBatchError?.(error, batch.length);
        await writeOneByOne(batch);
      }
    } finally {
      inFlight--;
      writing -= batch.length;
      if (queue.length > 0) flush();
    }
  }

  function flush(): void {
    scheduled = false;
    clearTimeout(waitTimer);
    waitTimer = undefined;
    const batch = takeBatch();
    if (batch.length > 0) void run(batch);
    // Overflow and items sharing a key with this batch go with the next write: when this one
    // ends, or after maxWaitMs at the latest.
    if (queue.length > 0) armWaitTimer();
  }

  function armWaitTimer(): void {
    if (waitTimer !== undefined) return;
    waitTimer = setTimeout(() => {
      waitTimer = undefined;
      if (queue.length > 0) flush();
    }, opts.maxWaitMs);
  }

  return {
    write(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (inFlight === 0) {
          // Nothing in flight: write at the end of this turn of the event loop, together with
          // whatever else arrives in it.
          if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
          }
        } else {
          armWaitTimer();
        }
      });
    },
    get pending() {
      return queue.length + writing;
    },
  };
}

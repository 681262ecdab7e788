// Serialises the creation of shared Platform objects (a destination's base connection, a flow
// binding's chain) across workers and processes with a Postgres transaction-level advisory lock.
// The lock is only tried, never waited for: a busy key makes the caller re-schedule its job, so
// no worker slot or database connection is held while someone else creates the object.
import type { Db } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';

export type LockOutcome<T> = { acquired: true; value: T } | { acquired: false };

/** Long enough for a lookup plus a create with the Platform client's own retries. */
const LOCKED_WORK_TIMEOUT_MS = 5 * 60_000;

export async function withTryAdvisoryLock<T>(db: Db, key: string, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<LockOutcome<T>> {
  return db.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) AS locked`;
      if (!row?.locked) return { acquired: false } as const;
      return { acquired: true, value: await work(tx) } as const;
    },
    { maxWait: 10_000, timeout: LOCKED_WORK_TIMEOUT_MS },
  );
}

// One PrismaClient per process, on the pg driver adapter (no native query engine), over a pg pool
// of ours so that a hot statement can skip Prisma (poolOf) and still share the same connections.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

export type Db = PrismaClient;
/** Data-access functions accept either, so services can compose writes in one transaction. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

const pools = new WeakMap<object, pg.Pool>();

export function createDb(url: string, poolSize: number): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle connection's error (Postgres restarted) is emitted on the pool, and unheard it would
  // end the process; the adapter attaches its own listener only once Prisma connects. The pool
  // drops that connection either way, and the next query reports any lasting outage.
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/**
 * The pool under a client from createDb, for a statement whose parameters Prisma would serialize
 * and parse again on the way to pg (the group accept's JSON, ~11 KiB per export). Undefined for a
 * transaction client: its statements must stay on the transaction's connection.
 */
export function poolOf(db: DbOrTx): pg.Pool | undefined {
  return pools.get(db);
}

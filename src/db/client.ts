// One PrismaClient per process, on the pg driver adapter (no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

export type Db = PrismaClient;
/** Data-access functions accept either, so services can compose writes in one transaction. */
export type DbOrTx = PrismaClient | Prisma.TransactionClient;

export function createDb(url: string, poolSize: number): Db {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  return new PrismaClient({ adapter });
}

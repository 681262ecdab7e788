// Prisma access for destinations. Every read and write names the tenant; a deleted destination is
// kept (exports still reference it) but invisible.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { afterKeyset, type Keyset } from '../http/routes/pagination.js';
import type { DestinationType } from './destination-types.js';

export interface NewDestination {
  tenantId: string;
  name: string;
  type: DestinationType;
  params: Prisma.InputJsonObject;
  credentialsSealed: string | null;
}

export async function insertDestination(db: DbOrTx, destination: NewDestination) {
  return db.destination.create({ data: { id: randomUUID(), ...destination } });
}

export async function findDestination(db: DbOrTx, tenantId: string, id: string) {
  return db.destination.findFirst({ where: { id, tenantId, deletedAt: null } });
}

export async function listDestinations(db: DbOrTx, tenantId: string, page: { limit: number; after?: Keyset }) {
  return db.destination.findMany({
    where: { tenantId, deletedAt: null, ...afterKeyset(page.after) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
}

/** Exports that still need the destination (not finished). */
export async function countActiveExportsTo(db: DbOrTx, tenantId: string, destinationId: string, activeStatuses: readonly string[]) {
  return db.export.count({ where: { tenantId, destinationId, status: { in: [...activeStatuses] } } });
}

export async function markDestinationDeleted(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const { count } = await db.destination.updateMany({ where: { id, tenantId, deletedAt: null }, data: { deletedAt: new Date() } });
  return count === 1;
}

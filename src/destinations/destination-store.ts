// Prisma access for destinations. Every read and write names the tenant; a deleted destination is
// kept (exports still reference it) but invisible.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
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

/** At most this many users are named in a refusal (the count is always exact). */
export const USERS_NAMED = 20;

/**
 * Exports that still need the destination: those the worker is still working on, and recurring
 * ones whose flow keeps running at the Platform (not ended, cancelled or refused).
 */
export async function exportsUsing(
  db: DbOrTx,
  tenantId: string,
  destinationId: string,
  statuses: { active: readonly string[]; finishedRecurring: readonly string[] },
  now: Date,
) {
  const where = {
    tenantId,
    destinationId,
    OR: [
      { status: { in: [...statuses.active] } },
      { schedule: { not: Prisma.DbNull }, status: { notIn: [...statuses.finishedRecurring] } },
    ],
  } satisfies Prisma.ExportWhereInput;
  const rows = await db.export.findMany({ where, select: { id: true, status: true, schedule: true }, orderBy: { createdAt: 'asc' } });
  // A recurring export past its endAt no longer runs, whatever its status says.
  return rows.filter((row) => {
    const endAt = (row.schedule as { endAt?: unknown } | null)?.endAt;
    return typeof endAt !== 'string' || Date.parse(endAt) > now.getTime() || statuses.active.includes(row.status);
  });
}

/** Pipeline schedules (active or paused) whose definition names the destination. */
export async function pipelineSchedulesUsing(db: DbOrTx, tenantId: string, destinationId: string) {
  return db.pipelineSchedule.findMany({
    where: { tenantId, destinationIds: { has: destinationId } },
    select: { id: true, name: true, status: true },
    orderBy: { createdAt: 'asc' },
    take: USERS_NAMED + 1,
  });
}

/**
 * Pipelines still running (the given statuses) whose definition names the destination anywhere:
 * export, ML, ingest and activate steps keep it in different fields, and a destination id is a
 * UUID no other field of a definition can hold by chance.
 */
export async function runningPipelinesUsing(db: DbOrTx, tenantId: string, destinationId: string, statuses: readonly string[]) {
  return db.$queryRaw<{ id: string; name: string; status: string }[]>`
    SELECT id::text AS id, name, status FROM pipelines
    WHERE tenant_id = ${tenantId}::uuid AND status = ANY(${[...statuses]}::text[])
      AND jsonb_path_exists(definition, 'lax $.** ? (@ == $id)', jsonb_build_object('id', ${destinationId}::text))
    ORDER BY created_at ASC LIMIT ${USERS_NAMED + 1}`;
}

export async function updateDestination(db: DbOrTx, tenantId: string, id: string, data: { name?: string; credentialsSealed?: string; baseConnectionId?: null }) {
  const { count } = await db.destination.updateMany({ where: { id, tenantId, deletedAt: null }, data });
  return count === 1;
}

export async function markDestinationDeleted(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const { count } = await db.destination.updateMany({ where: { id, tenantId, deletedAt: null }, data: { deletedAt: new Date() } });
  return count === 1;
}

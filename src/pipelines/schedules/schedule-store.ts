// Prisma access for pipeline schedules and their occurrences. Every query names the tenant (the
// worker's by id only), and status changes are conditional on the status they expect.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/client.js';
import { Prisma, type PipelineSchedule } from '../../generated/prisma/client.js';
import { afterKeyset, type Keyset } from '../../pagination.js';
import type { OccurrenceOutcome, ScheduleStatus } from './schedule-schemas.js';

/** How many of the latest occurrences a schedule is shown with. */
export const RECENT_OCCURRENCES = 20;

const withRecent = { occurrences: { orderBy: { instant: 'desc' as const }, take: RECENT_OCCURRENCES } } satisfies Prisma.PipelineScheduleInclude;
export type ScheduleWithRecent = Prisma.PipelineScheduleGetPayload<{ include: typeof withRecent }>;
export type ScheduleRow = PipelineSchedule;

export interface NewSchedule {
  tenantId: string;
  name: string;
  sourceKind: 'pipeline' | 'template';
  sourcePipelineId: string | null;
  templateId: string | null;
  parameters: Prisma.InputJsonObject | null;
  cron: string | null;
  timeZone: string | null;
  everyHours: number | null;
  startAt: Date;
  endAt: Date | null;
  destinationIds: string[];
}

export async function insertSchedule(db: DbOrTx, input: NewSchedule, now: Date) {
  return db.pipelineSchedule.create({
    data: { id: randomUUID(), ...input, parameters: input.parameters ?? Prisma.DbNull, status: 'active' satisfies ScheduleStatus, activeSince: now },
    include: withRecent,
  });
}

export async function findSchedule(db: DbOrTx, tenantId: string, id: string): Promise<ScheduleWithRecent | null> {
  return db.pipelineSchedule.findFirst({ where: { id, tenantId }, include: withRecent });
}

export async function listSchedules(db: DbOrTx, tenantId: string, page: { limit: number; after?: Keyset }) {
  return db.pipelineSchedule.findMany({
    where: { AND: [{ tenantId }, afterKeyset(page.after)] },
    include: withRecent,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
}

export type ScheduleChange = Partial<Pick<NewSchedule, 'name' | 'cron' | 'timeZone' | 'everyHours' | 'endAt' | 'destinationIds'>> & {
  parameters?: Prisma.InputJsonObject;
  /** Set when the cadence changes: instants of the new cadence before it are not caught up. */
  activeSince?: Date;
};

export async function updateSchedule(db: DbOrTx, tenantId: string, id: string, change: ScheduleChange): Promise<boolean> {
  const { count } = await db.pipelineSchedule.updateMany({ where: { id, tenantId }, data: change });
  return count === 1;
}

/** active -> paused, or paused -> active (then instants before now are never caught up). */
export async function moveSchedule(db: DbOrTx, tenantId: string, id: string, from: ScheduleStatus, to: ScheduleStatus, now: Date): Promise<boolean> {
  const { count } = await db.pipelineSchedule.updateMany({
    where: { id, tenantId, status: from },
    data: { status: to, ...(to === 'active' ? { activeSince: now } : {}) },
  });
  return count === 1;
}

export async function deleteSchedule(db: DbOrTx, tenantId: string, id: string): Promise<boolean> {
  const { count } = await db.pipelineSchedule.deleteMany({ where: { id, tenantId } });
  return count === 1;
}

/** Every schedule, for the worker's reconciliation (all tenants). */
export async function allSchedules(db: DbOrTx): Promise<ScheduleRow[]> {
  return db.pipelineSchedule.findMany({ orderBy: { createdAt: 'asc' } });
}

/** The schedule row, locked until the transaction ends: occurrences of one schedule are decided one at a time. */
export async function lockSchedule(tx: Prisma.TransactionClient, id: string): Promise<ScheduleRow | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM pipeline_schedules WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.pipelineSchedule.findUnique({ where: { id } });
}

export async function latestOccurrence(db: DbOrTx, scheduleId: string) {
  return db.pipelineScheduleOccurrence.findFirst({ where: { scheduleId }, orderBy: { instant: 'desc' } });
}

export async function insertOccurrence(db: DbOrTx, row: { scheduleId: string; instant: Date; outcome: OccurrenceOutcome; pipelineId: string | null; detail: string | null }) {
  return db.pipelineScheduleOccurrence.create({ data: row });
}

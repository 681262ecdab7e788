// Prisma access for exports and their runs. Every query names the tenant, and every state change
// is conditional on the status it expects (compare-and-set), so the API and the worker never
// overwrite each other's transitions.
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { afterKeyset, type Keyset } from '../http/routes/pagination.js';
import { activeRunStates, initialExportStep, type ExportStatus } from './export-status.js';

export interface NewExport {
  tenantId: string;
  destinationId: string;
  datasetId: string;
  path: string;
  format: string;
  compression: string;
  /** null for on-demand. */
  schedule: Prisma.InputJsonObject | null;
  callbackUrl: string | null;
}

const withDetails = {
  runs: { orderBy: [{ requestedAt: 'asc' as const }, { id: 'asc' as const }], include: { landedFiles: true } },
  flowBinding: true,
  destination: { select: { baseConnectionId: true } },
} satisfies Prisma.ExportInclude;

export type ExportWithDetails = Prisma.ExportGetPayload<{ include: typeof withDetails }>;

/** Inserts the export (queued, step pending, due now) and, when given, its first requested run. */
export async function insertExport(tx: DbOrTx, input: NewExport, opts: { requestRun: boolean; now: Date }) {
  const id = randomUUID();
  const row = await tx.export.create({
    data: {
      id,
      ...input,
      schedule: input.schedule ?? Prisma.DbNull,
      status: 'queued',
      step: initialExportStep,
      nextCheckAt: opts.now,
    },
  });
  if (opts.requestRun) await insertRequestedRun(tx, id, opts.now);
  return row;
}

/**
 * The accept write as one statement (one round trip, its own transaction): share-locks the live
 * destination, inserts the export and, when asked, its requested run. Returns the row with its
 * details as findExport would, built from the values written; null when the destination is gone.
 */
export async function insertAcceptedExport(db: DbOrTx, input: NewExport, opts: { requestRun: boolean; now: Date }): Promise<ExportWithDetails | null> {
  const id = randomUUID();
  const runId = randomUUID();
  const { now } = opts;
  const rows = await db.$queryRaw<{ base_connection_id: string | null }[]>`
    WITH dest AS (
      SELECT id, base_connection_id FROM destinations
      WHERE id = ${input.destinationId}::uuid AND tenant_id = ${input.tenantId}::uuid AND deleted_at IS NULL
      FOR SHARE
    ), inserted AS (
      INSERT INTO exports (id, tenant_id, destination_id, dataset_id, path, format, compression, schedule, callback_url,
                           status, step, next_check_at, attempts, created_at, updated_at)
      SELECT ${id}::uuid, ${input.tenantId}::uuid, dest.id, ${input.datasetId}, ${input.path}, ${input.format}, ${input.compression},
             ${input.schedule === null ? null : JSON.stringify(input.schedule)}::jsonb, ${input.callbackUrl},
             'queued', ${initialExportStep}, ${now}, 0, ${now}, ${now}
      FROM dest
      RETURNING id
    ), run AS (
      INSERT INTO export_runs (id, export_id, state, requested_at)
      SELECT ${runId}::uuid, inserted.id, 'requested', ${now} FROM inserted WHERE ${opts.requestRun}::boolean
    )
    SELECT dest.base_connection_id FROM dest JOIN inserted ON true`;
  const row = rows[0];
  if (row === undefined) return null;
  const runs = opts.requestRun
    ? [{ id: runId, exportId: id, state: 'requested', platformRunId: null, files: null, bytes: null, records: null, errors: null, requestedAt: now, startedAt: null, completedAt: null, folderUri: null, filesListedAt: null, filesError: null, landedFiles: [] }]
    : [];
  return {
    id,
    ...input,
    // As the jsonb column gives it back.
    schedule: input.schedule === null ? null : (JSON.parse(JSON.stringify(input.schedule)) as Prisma.JsonObject),
    flowBindingId: null,
    status: 'queued',
    step: initialExportStep,
    error: null,
    lastError: null,
    nextCheckAt: now,
    deadlineAt: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    runs,
    flowBinding: null,
    destination: { baseConnectionId: row.base_connection_id },
  };
}

export async function insertRequestedRun(tx: DbOrTx, exportId: string, now: Date) {
  return tx.exportRun.create({ data: { id: randomUUID(), exportId, state: 'requested', requestedAt: now } });
}

/** Share-locks a live destination for the rest of the transaction; false when it is gone. */
export async function lockLiveDestination(tx: DbOrTx, tenantId: string, destinationId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM destinations
    WHERE id = ${destinationId}::uuid AND tenant_id = ${tenantId}::uuid AND deleted_at IS NULL
    FOR SHARE`;
  return rows.length === 1;
}

export async function findExport(db: DbOrTx, tenantId: string, id: string): Promise<ExportWithDetails | null> {
  return db.export.findFirst({ where: { id, tenantId }, include: withDetails });
}

export interface ExportFilters {
  statuses?: ExportStatus[];
  datasetId?: string;
  destinationId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

export async function listExports(db: DbOrTx, tenantId: string, filters: ExportFilters, page: { limit: number; after?: Keyset }) {
  const createdAt =
    filters.createdAfter || filters.createdBefore
      ? { ...(filters.createdAfter ? { gte: filters.createdAfter } : {}), ...(filters.createdBefore ? { lt: filters.createdBefore } : {}) }
      : undefined;
  return db.export.findMany({
    where: {
      AND: [
        {
          tenantId,
          ...(filters.statuses ? { status: { in: filters.statuses } } : {}),
          ...(filters.datasetId ? { datasetId: filters.datasetId } : {}),
          ...(filters.destinationId ? { destinationId: filters.destinationId } : {}),
          ...(createdAt ? { createdAt } : {}),
        },
        afterKeyset(page.after),
      ],
    },
    include: { flowBinding: true, destination: { select: { baseConnectionId: true } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
}

/** Back to queued for another run, only from the given statuses and with no run going on. */
export async function requeueForAnotherRun(tx: DbOrTx, tenantId: string, id: string, fromStatuses: readonly string[], now: Date): Promise<boolean> {
  const { count } = await tx.export.updateMany({
    where: { id, tenantId, status: { in: [...fromStatuses] }, runs: { none: { state: { in: [...activeRunStates] } } } },
    data: { status: 'queued', step: initialExportStep, nextCheckAt: now, error: Prisma.DbNull, finishedAt: null, deadlineAt: null, attempts: 0 },
  });
  return count === 1;
}

/** Marks the export cancelled (from the given statuses) and drops runs that never started. */
export async function markCancelled(tx: DbOrTx, tenantId: string, id: string, fromStatuses: readonly string[], now: Date): Promise<boolean> {
  const { count } = await tx.export.updateMany({
    where: { id, tenantId, status: { in: [...fromStatuses] } },
    data: { status: 'cancelled', finishedAt: now, nextCheckAt: now },
  });
  if (count === 1) {
    await tx.exportRun.updateMany({ where: { exportId: id, state: 'requested' }, data: { state: 'cancelled', completedAt: now } });
  }
  return count === 1;
}

export async function updateSchedule(tx: DbOrTx, tenantId: string, id: string, schedule: Prisma.InputJsonObject): Promise<boolean> {
  const { count } = await tx.export.updateMany({
    where: { id, tenantId, status: { not: 'cancelled' }, schedule: { not: Prisma.DbNull } },
    data: { schedule },
  });
  return count === 1;
}

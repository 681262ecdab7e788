// The worker's reads and writes besides the export row itself: flow bindings and export runs (the
// destination's base connection: src/destinations/base-connection.ts). Every Platform id is
// written with a condition that it is still unset, so two workers never overwrite each other's ids.
import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '../../db/client.js';
import type { ExportRun, FlowBinding } from '../../generated/prisma/client.js';
import { activeStatuses, openRunStates, type LoadedExport, type RunState } from './export-model.js';
import type { BindingKey } from './platform-names.js';

export async function loadExport(db: DbOrTx, id: string): Promise<LoadedExport | null> {
  return db.export.findUnique({ where: { id }, include: { tenant: true, destination: true, flowBinding: true } });
}

/** The binding row for this key, created when missing (concurrent callers get the same row). */
export async function ensureFlowBinding(db: DbOrTx, key: BindingKey): Promise<FlowBinding> {
  const where = { tenantId_destinationId_datasetId_path_format_compression_scheduleKey: key };
  // Most exports reuse a binding: one read, and the insert only when it is missing.
  const existing = await db.flowBinding.findUnique({ where });
  if (existing !== null) return existing;
  await db.flowBinding.createMany({ data: [{ id: randomUUID(), ...key }], skipDuplicates: true });
  return db.flowBinding.findUniqueOrThrow({ where });
}

export async function findFlowBinding(db: DbOrTx, id: string): Promise<FlowBinding | null> {
  return db.flowBinding.findUnique({ where: { id } });
}

export type BindingIdField = 'sourceConnectionId' | 'targetConnectionId' | 'flowId';

/** Saves a Platform id on the binding if the field is still empty. */
export async function saveBindingId(db: DbOrTx, bindingId: string, field: BindingIdField, value: string): Promise<boolean> {
  const { count } = await db.flowBinding.updateMany({ where: { id: bindingId, [field]: null }, data: { [field]: value } });
  return count === 1;
}

/** Forgets a Platform id the Platform no longer has (only if it is still the one we saw). */
export async function clearBindingId(db: DbOrTx, bindingId: string, field: BindingIdField, expected: string): Promise<void> {
  await db.flowBinding.updateMany({ where: { id: bindingId, [field]: expected }, data: { [field]: null } });
}

/** The oldest run of this export that is not finished yet. */
export async function currentRun(db: DbOrTx, exportId: string): Promise<ExportRun | null> {
  return db.exportRun.findFirst({
    where: { exportId, state: { in: [...openRunStates] } },
    orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }],
  });
}

/** Moves a run between states only from an expected state (compare-and-set). */
export async function moveRun(
  db: DbOrTx,
  runId: string,
  from: readonly RunState[],
  data: Omit<Parameters<Db['exportRun']['updateMany']>[0]['data'], 'id' | 'exportId'> & { state?: RunState },
): Promise<boolean> {
  const { count } = await db.exportRun.updateMany({ where: { id: runId, state: { in: [...from] } }, data });
  return count === 1;
}

/** Which of these Platform run ids some export run already owns. */
export async function ownedPlatformRunIds(db: DbOrTx, platformRunIds: string[]): Promise<Set<string>> {
  if (platformRunIds.length === 0) return new Set();
  const rows = await db.exportRun.findMany({ where: { platformRunId: { in: platformRunIds } }, select: { platformRunId: true } });
  return new Set(rows.flatMap((r) => (r.platformRunId === null ? [] : [r.platformRunId])));
}

/** How many other exports still need this binding's flow (they keep it enabled). */
export async function otherActiveExportsOnBinding(db: DbOrTx, bindingId: string, exportId: string): Promise<number> {
  return db.export.count({
    where: { flowBindingId: bindingId, id: { not: exportId }, status: { in: [...activeStatuses] } },
  });
}

/** Ends every open run of a cancelled export. */
export async function cancelOpenRuns(db: DbOrTx, exportId: string, at: Date): Promise<number> {
  const { count } = await db.exportRun.updateMany({
    where: { exportId, state: { in: [...openRunStates] } },
    data: { state: 'cancelled', completedAt: at },
  });
  return count;
}

export interface ListedRunFolder {
  folderUri: string | null;
  filesListedAt: Date;
  filesError: string | null;
  files: { path: string; uri: string; size: number }[];
}

/**
 * Records what a run landed, once: the folder and the listing time on the run and its files, in
 * one statement (so atomic without a transaction). A run already listed (by another activation)
 * is left as it is; returns whether this call recorded it.
 */
export async function recordRunFiles(db: DbOrTx, runId: string, listed: ListedRunFolder): Promise<boolean> {
  const rows = await db.$queryRaw<{ recorded: boolean }[]>`
    WITH run AS (
      UPDATE export_runs SET folder_uri = ${listed.folderUri}, files_listed_at = ${listed.filesListedAt}, files_error = ${listed.filesError}
       WHERE id = ${runId}::uuid AND files_listed_at IS NULL
      RETURNING id
    ), files AS (
      INSERT INTO export_run_files (run_id, path, uri, size)
      SELECT run.id, f.path, f.uri, f.size
        FROM run, unnest(${listed.files.map((f) => f.path)}::text[], ${listed.files.map((f) => f.uri)}::text[], ${listed.files.map((f) => String(f.size))}::bigint[]) AS f(path, uri, size)
    )
    SELECT EXISTS (SELECT 1 FROM run) AS recorded`;
  return rows[0]?.recorded === true;
}

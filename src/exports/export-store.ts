// Prisma access for exports and their runs. Every query names the tenant, and every state change
// is conditional on the status it expects (compare-and-set), so the API and the worker never
// overwrite each other's transitions.
import { randomUUID } from 'node:crypto';
import { poolOf, type DbOrTx } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { afterKeyset, type Keyset } from '../pagination.js';
import type { SealedAnswerRecord } from '../security/idempotent-answers.js';
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

/** One export to accept in a group commit (see acceptExports). */
export interface AcceptItem {
  id: string;
  runId: string;
  input: NewExport;
  requestRun: boolean;
  now: Date;
  /** The destination's base connection id the answer was built with; the write checks it. */
  expectedBaseConnectionId: string | null;
  idempotency: SealedAnswerRecord | null;
}

export type AcceptOutcome =
  | { kind: 'inserted' }
  | { kind: 'destination_missing' }
  /** The destination's base connection moved: build the answer again with this one. */
  | { kind: 'stale_base_connection'; baseConnectionId: string | null }
  /** Another request holds the Idempotency-Key: nothing was written; replay its answer. */
  | { kind: 'key_taken' };

interface AcceptRow {
  ord: number;
  destination_found: boolean;
  base_connection_id: string | null;
  base_matches: boolean;
  inserted: boolean;
}

/** acceptExports' statement: $1 the exports as a JSON array, $2 a new export's first step. */
const acceptSql = `
    WITH input AS (
      SELECT * FROM json_to_recordset($1::json) AS t(
        ord int, id uuid, run_id uuid, tenant_id uuid, destination_id uuid, dataset_id text, path text, format text,
        compression text, schedule jsonb, callback_url text, request_run boolean, at timestamptz, expected_base text,
        key text, method text, req_path text, body_hash text, status_code int, response_body text, headers jsonb, ttl_seconds int)
    ), dest AS (
      SELECT d.id, d.tenant_id, d.base_connection_id FROM destinations d
      WHERE d.deleted_at IS NULL AND (d.id, d.tenant_id) IN (SELECT destination_id, tenant_id FROM input)
      ORDER BY d.id
      FOR SHARE
    ), eligible AS (
      SELECT input.* FROM input JOIN dest ON dest.id = input.destination_id AND dest.tenant_id = input.tenant_id
      WHERE dest.base_connection_id IS NOT DISTINCT FROM input.expected_base
    ), keyed AS (
      INSERT INTO idempotency_keys (tenant_id, key, method, path, body_hash, state, status_code, response_body, headers, created_at, expires_at)
      SELECT tenant_id, key, method, req_path, body_hash, 'done', status_code, to_jsonb(response_body), headers,
             clock_timestamp(), clock_timestamp() + make_interval(secs => ttl_seconds)
      FROM eligible WHERE key IS NOT NULL
      ORDER BY tenant_id, key
      ON CONFLICT (tenant_id, key) DO UPDATE SET
        method = EXCLUDED.method, path = EXCLUDED.path, body_hash = EXCLUDED.body_hash, state = EXCLUDED.state,
        status_code = EXCLUDED.status_code, response_body = EXCLUDED.response_body, headers = EXCLUDED.headers,
        created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
      WHERE idempotency_keys.expires_at <= clock_timestamp()
      RETURNING tenant_id, key
    ), accepted AS (
      SELECT e.* FROM eligible e
      WHERE e.key IS NULL OR EXISTS (SELECT 1 FROM keyed k WHERE k.tenant_id = e.tenant_id AND k.key = e.key)
    ), inserted AS (
      INSERT INTO exports (id, tenant_id, destination_id, dataset_id, path, format, compression, schedule, callback_url,
                           status, step, next_check_at, attempts, created_at, updated_at)
      SELECT id, tenant_id, destination_id, dataset_id, path, format, compression, schedule, callback_url,
             'queued', $2, at, 0, at, at
      FROM accepted
      RETURNING id
    ), run AS (
      INSERT INTO export_runs (id, export_id, state, requested_at)
      SELECT run_id, id, 'requested', at FROM accepted WHERE request_run
    )
    SELECT input.ord, dest.id IS NOT NULL AS destination_found, dest.base_connection_id,
           dest.base_connection_id IS NOT DISTINCT FROM input.expected_base AS base_matches,
           EXISTS (SELECT 1 FROM inserted WHERE inserted.id = input.id) AS inserted
    FROM input LEFT JOIN dest ON dest.id = input.destination_id AND dest.tenant_id = input.tenant_id`;

/**
 * The accept write for many exports as one statement (one round trip, one transaction): share-locks
 * the live destinations, records each Idempotency-Key with its answer, and inserts each export and
 * its requested run, all or nothing per export. An export is written only when its destination is
 * live, its base connection is the one its answer names, and its key (if any) was free or expired;
 * so a key's record and its export commit together, and a retry finds either both or neither.
 */
export async function acceptExports(db: DbOrTx, items: readonly AcceptItem[]): Promise<AcceptOutcome[]> {
  // Keys in one order, so two statements holding the same keys wait for each other instead of deadlocking.
  const input = items
    .map((item, ord) => ({
      ord,
      id: item.id,
      run_id: item.runId,
      tenant_id: item.input.tenantId,
      destination_id: item.input.destinationId,
      dataset_id: item.input.datasetId,
      path: item.input.path,
      format: item.input.format,
      compression: item.input.compression,
      schedule: item.input.schedule,
      callback_url: item.input.callbackUrl,
      request_run: item.requestRun,
      at: item.now.toISOString(),
      expected_base: item.expectedBaseConnectionId,
      key: item.idempotency?.key ?? null,
      method: item.idempotency?.method ?? null,
      req_path: item.idempotency?.path ?? null,
      body_hash: item.idempotency?.bodyHash ?? null,
      status_code: item.idempotency?.statusCode ?? null,
      response_body: item.idempotency?.sealedBody ?? null,
      headers: item.idempotency?.headers ?? null,
      ttl_seconds: item.idempotency?.ttlSeconds ?? null,
    }))
    .sort((a, b) => (a.tenant_id + (a.key ?? '')).localeCompare(b.tenant_id + (b.key ?? '')));
  // Straight through the pool when there is one: through Prisma the JSON parameter would be
  // serialized and parsed again before pg sends it. A transaction, or a client not made by
  // createDb (test/api/export-read-statements.test.ts counts statements on its own), goes through Prisma.
  const params = [JSON.stringify(input), initialExportStep];
  const pool = poolOf(db);
  const rows = pool ? (await pool.query<AcceptRow>(acceptSql, params)).rows : await db.$queryRawUnsafe<AcceptRow[]>(acceptSql, ...params);
  const byOrd = new Map(rows.map((r) => [Number(r.ord), r]));
  return items.map((_, ord): AcceptOutcome => {
    const row = byOrd.get(ord);
    if (!row?.destination_found) return { kind: 'destination_missing' };
    if (!row.base_matches) return { kind: 'stale_base_connection', baseConnectionId: row.base_connection_id };
    return row.inserted ? { kind: 'inserted' } : { kind: 'key_taken' };
  });
}

/** An accepted export as findExport would return it, built from the values written. */
export function acceptedExportRow(item: Omit<AcceptItem, 'idempotency'>): ExportWithDetails {
  const { id, runId, input, now } = item;
  const runs = item.requestRun
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
    claims: 0,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    runs,
    flowBinding: null,
    destination: { baseConnectionId: item.expectedBaseConnectionId },
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

/** One statement: the runs, flow binding and destination come joined (relationJoins), not one query each. */
export async function findExport(db: DbOrTx, tenantId: string, id: string): Promise<ExportWithDetails | null> {
  return db.export.findFirst({ where: { id, tenantId }, include: withDetails, relationLoadStrategy: 'join' });
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

/** Statuses of a recurring export whose worker watches its runs (the claim may show it running). */
export const watchingStatuses = ['active', 'running', 'waiting_for_platform'] as const;

/** active (or watching) -> paused, only for a recurring export past setup. */
export async function setPaused(tx: DbOrTx, tenantId: string, id: string, now: Date): Promise<boolean> {
  const { count } = await tx.export.updateMany({
    where: { id, tenantId, status: { in: [...watchingStatuses] }, step: 'watch_runs', schedule: { not: Prisma.DbNull } },
    data: { status: 'paused', lastError: Prisma.DbNull, nextCheckAt: now },
  });
  return count === 1;
}

/**
 * ended -> active, for a recurring export given a later end: the worker checks its flow again
 * (verify_flow enables it if needed) and watches its runs.
 */
export async function setReactivated(tx: DbOrTx, tenantId: string, id: string, now: Date): Promise<boolean> {
  const { count } = await tx.export.updateMany({
    where: { id, tenantId, status: 'ended', schedule: { not: Prisma.DbNull } },
    data: { status: 'active', step: 'verify_flow', finishedAt: null, error: Prisma.DbNull, lastError: Prisma.DbNull, nextCheckAt: now },
  });
  return count === 1;
}

/** paused -> active; the worker (enqueued next) watches the runs again. */
export async function setResumed(tx: DbOrTx, tenantId: string, id: string, now: Date): Promise<boolean> {
  const { count } = await tx.export.updateMany({
    where: { id, tenantId, status: 'paused' },
    data: { status: 'active', step: 'watch_runs', nextCheckAt: now },
  });
  return count === 1;
}

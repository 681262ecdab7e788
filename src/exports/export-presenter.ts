// An export row as callers see it. JSON columns written by the worker (error, run errors) are read
// leniently: a field the worker adds later must never break a GET.
import { z } from 'zod';
import type { Export as ExportRow, ExportRun, ExportRunFile, FlowBinding } from '../generated/prisma/client.js';
import type { ExportRunView, ExportSummary, ExportView } from './export-schemas.js';
import { nextRunAtOf, parseStoredSchedule } from './export-schedule.js';
import { presentLastError } from '../last-error.js';
import { activeExportStatuses, exportRunStates, exportStatuses, type ExportRunState, type ExportStatus } from './export-status.js';
import { isoOrNull as iso, presentStoredError } from '../stored-error.js';
import { oneOf } from '../vocabulary.js';

const StoredRunErrorsSchema = z.array(z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }));

const toNumber = (n: bigint | number | null) => (n === null ? null : Number(n));

function presentError(value: unknown): ExportSummary['error'] {
  return presentStoredError(value, 'The export failed.');
}

function presentRunErrors(value: unknown): ExportRunView['errors'] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  const parsed = StoredRunErrorsSchema.safeParse(list);
  return parsed.success ? parsed.data.map((e) => ({ code: e.code ?? null, message: e.message ?? null })) : [];
}

const knownStatus = (value: string): ExportStatus => oneOf(exportStatuses, value, 'export status');
const knownRunState = (value: string): ExportRunState => oneOf(exportRunStates, value, 'export run state');

/** A run as loaded with its landed files (absent on a run just inserted). */
export type ExportRunRow = ExportRun & { landedFiles?: ExportRunFile[] };

export function presentLandedFile(file: ExportRunFile) {
  return { uri: file.uri, path: file.path, size: Number(file.size) };
}

export function presentRun(run: ExportRunRow): ExportRunView {
  return {
    id: run.id,
    state: knownRunState(run.state),
    platformRunId: run.platformRunId,
    files: run.files,
    bytes: toNumber(run.bytes),
    records: toNumber(run.records),
    errors: presentRunErrors(run.errors),
    requestedAt: run.requestedAt.toISOString(),
    startedAt: iso(run.startedAt),
    completedAt: iso(run.completedAt),
    folderUri: run.folderUri,
    landedFiles: [...(run.landedFiles ?? [])].sort((a, b) => a.path.localeCompare(b.path)).map(presentLandedFile),
    filesError: run.filesError,
  };
}

type SummaryRow = ExportRow & { flowBinding: FlowBinding | null; destination: { baseConnectionId: string | null } };

export function presentExportSummary(row: SummaryRow): ExportSummary {
  const schedule = parseStoredSchedule(row.schedule);
  return {
    id: row.id,
    status: knownStatus(row.status),
    step: row.step,
    datasetId: row.datasetId,
    destinationId: row.destinationId,
    path: row.path,
    format: row.format === 'json' ? 'json' : 'parquet',
    compression: row.compression === 'none' ? 'none' : 'gzip',
    schedule: schedule ?? 'on-demand',
    callbackUrl: row.callbackUrl,
    platform: {
      baseConnectionId: row.destination.baseConnectionId,
      sourceConnectionId: row.flowBinding?.sourceConnectionId ?? null,
      targetConnectionId: row.flowBinding?.targetConnectionId ?? null,
      flowId: row.flowBinding?.flowId ?? null,
    },
    error: presentError(row.error),
    lastError: presentLastError(row.lastError, (activeExportStatuses as readonly string[]).includes(row.status)),
    nextRunAt: schedule !== null && row.status === 'active' ? iso(nextRunAtOf(schedule, Date.now())) : null,
    attempts: row.attempts,
    nextCheckAt: row.nextCheckAt.toISOString(),
    deadlineAt: iso(row.deadlineAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: iso(row.finishedAt),
  };
}

export function presentExport(row: SummaryRow & { runs: ExportRunRow[] }): ExportView {
  const runs = row.runs.map(presentRun);
  const last = row.runs.reduce<ExportRunRow | null>((latest, run) => (latest === null || run.requestedAt > latest.requestedAt ? run : latest), null);
  return { ...presentExportSummary(row), lastRun: last === null ? null : presentRun(last), runs };
}

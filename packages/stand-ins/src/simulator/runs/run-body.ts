// The run entity as Flow Service returns it (reference 2.7; destinations.yaml examples), plus the
// simulator's bookkeeping under `__sim`. A run starts `inProgress` and ends `success` or `failed`.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RunFailure, Tenancy } from '../context.js';
import type { ExportMode } from '../landing/manifest.js';
import type { FlowView } from './flow-links.js';

export type RunPhase = 'inProgress' | 'completed';

export interface RunBookkeeping {
  phase: RunPhase;
  /** When the run may complete (epoch ms): creation + runDurationSeconds. */
  dueAtMs: number;
  datasetId: string;
  targetConnectionId: string;
  /** A run-failure fault taken when the run was created: it fails when it completes. */
  injectedFailure?: RunFailure | null;
  exportMode?: ExportMode;
  /** Landing folder of the export, relative to the landing root. */
  folder?: string;
  manifestName?: string;
}

export interface RunError {
  code: string;
  message: string;
}

export interface RunMetrics {
  durationSummary: { startedAtUTC: number; completedAtUTC?: number };
  sizeSummary?: { inputBytes?: number; outputBytes?: number };
  recordSummary?: {
    inputRecordCount?: number;
    outputRecordCount?: number;
    skippedRecordCount?: number;
    failedRecordCount?: number;
    failedInfo?: RunError[];
  };
  fileSummary?: { inputFileCount?: number; outputFileCount?: number };
  statusSummary: { status: 'inProgress' | 'success' | 'failed'; errors?: RunError[]; activityRefs?: string[] };
}

export interface RunActivity {
  id: string;
  name: string;
  updatedAtUTC: number;
  durationSummary: RunMetrics['durationSummary'];
  sizeSummary: NonNullable<RunMetrics['sizeSummary']>;
  recordSummary: NonNullable<RunMetrics['recordSummary']>;
  fileSummary: NonNullable<RunMetrics['fileSummary']>;
  statusSummary: { status: RunMetrics['statusSummary']['status']; errors?: RunError[] };
}

export interface RunBody {
  id: string;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  updatedBy: string;
  createdClient: string;
  updatedClient: string;
  sandboxId: string;
  sandboxName: string;
  imsOrgId: string;
  flowId: string;
  flowSpec: { id: string; version: string };
  providerRefId: string;
  etag: string;
  metrics: RunMetrics;
  activities: RunActivity[];
  __sim: RunBookkeeping;
}

export const PUBLISHER_ACTIVITY_NAME = 'Activation Batch Publisher Activity';

/** A stable UUID-shaped sandbox id for flows that carry none. */
function sandboxIdFor(t: Tenancy): string {
  const hex = createHash('sha256').update(`${t.orgId}|${t.sandbox}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface NewRun {
  tenancy: Tenancy;
  flow: FlowView;
  datasetId: string;
  targetConnectionId: string;
  nowMs: number;
  durationMs: number;
}

export function inProgressRunBody(id: string, etag: string, run: NewRun): RunBody {
  const createdBy = run.flow.createdBy ?? 'simulator@AdobeID';
  const createdClient = run.flow.createdClient ?? 'simulator';
  return {
    id,
    createdAt: run.nowMs,
    updatedAt: run.nowMs,
    createdBy,
    updatedBy: createdBy,
    createdClient,
    updatedClient: createdClient,
    sandboxId: run.flow.sandboxId ?? sandboxIdFor(run.tenancy),
    sandboxName: run.tenancy.sandbox,
    imsOrgId: run.tenancy.orgId,
    flowId: run.flow.id,
    flowSpec: { id: run.flow.flowSpec.id, version: run.flow.flowSpec.version ?? '1.0' },
    providerRefId: randomBytes(16).toString('hex'),
    etag,
    metrics: { durationSummary: { startedAtUTC: run.nowMs }, statusSummary: { status: 'inProgress' } },
    activities: [],
    __sim: { phase: 'inProgress', dueAtMs: run.nowMs + run.durationMs, datasetId: run.datasetId, targetConnectionId: run.targetConnectionId },
  };
}

export interface ExportOutcome {
  records: number;
  files: number;
  bytes: number;
  exportMode: ExportMode;
  folder: string;
  manifestName: string;
}

export function succeededRunBody(body: RunBody, etag: string, nowMs: number, outcome: ExportOutcome): RunBody {
  const activityId = randomUUID();
  const duration = { startedAtUTC: body.metrics.durationSummary.startedAtUTC, completedAtUTC: nowMs };
  const recordSummary = { inputRecordCount: outcome.records, outputRecordCount: outcome.records, skippedRecordCount: 0, failedRecordCount: 0 };
  return {
    ...body,
    etag,
    updatedAt: nowMs,
    metrics: {
      durationSummary: duration,
      sizeSummary: { inputBytes: outcome.bytes, outputBytes: outcome.bytes },
      recordSummary,
      fileSummary: { inputFileCount: outcome.files, outputFileCount: outcome.files },
      statusSummary: { status: 'success', activityRefs: [activityId] },
    },
    activities: [
      {
        id: activityId,
        name: PUBLISHER_ACTIVITY_NAME,
        updatedAtUTC: nowMs,
        durationSummary: duration,
        sizeSummary: { outputBytes: outcome.bytes },
        recordSummary,
        fileSummary: { outputFileCount: outcome.files },
        statusSummary: { status: 'success' },
      },
    ],
    __sim: { ...body.__sim, phase: 'completed', exportMode: outcome.exportMode, folder: outcome.folder, manifestName: outcome.manifestName },
  };
}

export function failedRunBody(body: RunBody, etag: string, nowMs: number, failure: RunFailure): RunBody {
  const activityId = randomUUID();
  const duration = { startedAtUTC: body.metrics.durationSummary.startedAtUTC, completedAtUTC: nowMs };
  const errors = [{ code: failure.code, message: failure.message }];
  return {
    ...body,
    etag,
    updatedAt: nowMs,
    metrics: {
      durationSummary: duration,
      recordSummary: { failedInfo: errors },
      statusSummary: { status: 'failed', errors, activityRefs: [activityId] },
    },
    activities: [
      {
        id: activityId,
        name: PUBLISHER_ACTIVITY_NAME,
        updatedAtUTC: nowMs,
        durationSummary: duration,
        sizeSummary: {},
        recordSummary: { failedInfo: errors },
        fileSummary: {},
        statusSummary: { status: 'failed', errors },
      },
    ],
    __sim: { ...body.__sim, phase: 'completed' },
  };
}

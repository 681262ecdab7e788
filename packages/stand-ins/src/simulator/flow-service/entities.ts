// Stored shapes of the Flow Service entities (what GET returns, plus `__sim` bookkeeping).
// Exported for the data routes: the ad hoc run reads a flow's readyAt and its target params.
import type { EntityMeta } from './entity-meta.js';
import type { DatasetSchedule } from './schedule.js';

export interface SpecRef {
  id: string;
  version: string;
}

interface Versioned {
  id: string;
  name: string;
  description?: string;
  state: 'enabled' | 'disabled';
  /** Same value as etag, quoted. */
  version: string;
  etag: string;
}

export interface AuthBody {
  specName: string;
  params: Record<string, unknown>;
}

export interface ConnectionBody extends EntityMeta, Versioned {
  connectionSpec: SpecRef;
  /** null for the Data Landing Zone, whose spec has no auth. */
  auth: AuthBody | null;
}

export interface SourceDataset {
  dataSetId: string;
  name?: string;
}

export interface SourceConnectionBody extends EntityMeta, Versioned {
  connectionSpec: SpecRef;
  params: { datasets: SourceDataset[]; [key: string]: unknown };
  data?: { format?: string; [key: string]: unknown };
}

export interface TargetParams {
  compression: 'GZIP' | 'NONE';
  /** Dataset exports. */
  datasetFileType?: 'JSON' | 'PARQUET';
  /** Audience exports. */
  fileType?: 'CSV' | 'JSON' | 'PARQUET';
  mode?: string;
  path?: string;
  bucketName?: string;
  container?: string;
  remotePath?: string;
  [key: string]: unknown;
}

export interface TargetConnectionBody extends EntityMeta, Versioned {
  baseConnectionId: string;
  connectionSpec: SpecRef;
  params: TargetParams;
  inheritedAttributes: { baseConnection: { id: string; connectionSpec: SpecRef } };
}

export interface FlowSim {
  /** Epoch ms before which ad hoc runs answer "not ready" (creation or last enable + notReadySeconds). */
  readyAt: number;
  /** Index of the next schedule occurrence the scheduler may fire (runs/run-scheduler.ts). */
  nextOccurrence?: number;
  /** Epoch ms of the last enable: occurrences missed while disabled are not caught up. */
  enabledAt?: number;
}

export interface FlowOperation {
  started: number;
  updated: number;
  percentCompleted: number;
  status: { value: string; errors: unknown[] };
  ops: unknown[];
  operation: 'create' | 'update' | 'enable' | 'disable';
}

export interface FlowBody extends EntityMeta, Versioned {
  flowSpec: SpecRef;
  sourceConnectionIds: string[];
  targetConnectionIds: string[];
  inheritedAttributes: {
    properties: { isDestinationFlow: true };
    sourceConnections: { id: string; connectionSpec: SpecRef }[];
    targetConnections: { id: string; connectionSpec: SpecRef; baseConnection: { id: string; connectionSpec: SpecRef } }[];
  };
  scheduleParams: DatasetSchedule;
  transformations: unknown[];
  /** e.g. "/runs?property=flowId==<id>" */
  runs: string;
  lastOperation: FlowOperation;
  /** Written by the run engine when a run of this flow finishes. */
  lastRunDetails?: { id: string; state: string; startedAtUTC: number; completedAtUTC?: number };
  __sim: FlowSim;
}

/** Collection names as they appear in paths and error messages. */
export const COLLECTIONS = {
  connection: 'connections',
  sourceConnection: 'sourceConnections',
  targetConnection: 'targetConnections',
  flow: 'flows',
} as const;

// The export state machine as the worker sees it: statuses, steps and the error recorded on a
// failed export. The API writes `queued` (and `cancelled`); the worker writes everything else.
import type { Destination, Export, ExportRun, FlowBinding, Tenant } from '../../generated/prisma/client.js';
import type { ExportErrorCode } from '../../errors.js';
import { oneOf } from '../../vocabulary.js';
import { activeExportStatuses, activeRunStates, type ExportRunState, type ExportStatus } from '../export-status.js';
import { exportWorkflow } from './workflow.js';

export type { ExportStatus };
export type RunState = ExportRunState;

/** Statuses the worker still has work for (besides `cancelled` rows not yet cleaned up). */
export const activeStatuses = activeExportStatuses;
/** Runs that are wanted or going on. */
export const openRunStates = activeRunStates;

/**
 * The stored steps: the workflow's steps in order (workflow.ts, with the jumps between them), plus
 * `pending` (set by the API) and `done` (after a run), which both start a new pass at `governance`,
 * and `cancelled` (cleaned up).
 */
export const exportSteps = ['pending', ...exportWorkflow, 'done', 'cancelled'] as const;
export type ExportStep = (typeof exportSteps)[number];

/** What `GET /exports/:id` shows of a failure: plain words plus the Platform's own code and text. */
export interface ExportError {
  code: ExportErrorCode;
  message: string;
  step: ExportStep | 'cancel';
  platformCode?: string;
  platformMessage?: string;
  httpStatus?: number;
  /** For governance_refused: the labels that forbid the export. */
  labels?: string[];
}

/** An export row with what every step reads. */
export type LoadedExport = Export & {
  tenant: Tenant;
  destination: Destination;
  flowBinding: FlowBinding | null;
};

export type { ExportRun };

export function isActiveStatus(status: string): status is (typeof activeStatuses)[number] {
  return (activeStatuses as readonly string[]).includes(status);
}

/** A stored step; an unknown one throws (the column's CHECK constraint should make that impossible). */
export function asStep(value: string): ExportStep {
  return oneOf(exportSteps, value, 'export step');
}

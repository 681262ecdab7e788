// What every step receives and what it answers. Steps never touch BullMQ: they return `wait` and
// the processor re-schedules the job (delayed, holding no worker slot), or `fail` and the
// processor records the failure.
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../config.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { LastErrorCause } from '../../last-error.js';
import type { Db } from '../../db/client.js';
import type { PlatformClient } from '../../platform/client.js';
import type { StoreFactory } from '../../storage/store-factory.js';
import type { CrashPoint } from '../../jobs/crash-points.js';
import type { ExportError, ExportRun, LoadedExport } from './export-model.js';
import type { FencedExport } from './fenced-export.js';
import type { ReadAhead } from './read-ahead.js';
import type { JumpTarget, LastStep, WorkflowStep } from './workflow.js';

/** The Platform calls an export makes (a narrow view of the Platform client). */
export type ExportPlatform = Pick<
  PlatformClient,
  | 'getDatasetLabels'
  | 'findBaseConnectionByName'
  | 'createBaseConnection'
  | 'findSourceConnectionByName'
  | 'createSourceConnection'
  | 'getSourceConnection'
  | 'findTargetConnectionByName'
  | 'createTargetConnection'
  | 'findFlowByName'
  | 'createFlow'
  | 'getFlow'
  | 'patchFlow'
  | 'enableFlow'
  | 'disableFlow'
  | 'startAdhocDatasetRun'
  | 'getRun'
  | 'listFlowRuns'
>;

export type WorkerSettings = ServiceConfig['worker'];

export interface StepDeps {
  db: Db;
  secrets: SecretBox;
  /** Opens a destination's store (listing what a run landed). */
  stores: StoreFactory;
  settings: WorkerSettings;
  crash: CrashPoint;
  now: () => number;
  random: () => number;
  /** Told of every export run that finished (metrics); optional so tests may leave it out. */
  runFinished?: (state: 'succeeded' | 'failed', trigger: 'scheduled' | 'adhoc') => void;
}

export interface StepContext extends StepDeps {
  platform: ExportPlatform;
  /** Platform reads started ahead of the step that uses them (read-ahead.ts). */
  readAhead: ReadAhead;
  /** The run trigger_run just started, handed to poll_run in the same activation (which then reads no row for it). */
  started: { run?: ExportRun | undefined };
  /** The row as last read or written by this activation (steps keep it current). */
  exp: LoadedExport;
  fenced: FencedExport;
  /** How many times this job already waited at the current step (drives backoff). */
  waits: number;
  log: Logger;
}

/** `paused`: a paused recurring export still watching the runs that started before the pause. */
export type WaitStatus = 'running' | 'waiting_for_platform' | 'active' | 'paused';

/** What any step may answer besides moving on. */
export type StepEnd =
  /** `lastError`: the failed Platform call this wait retries (shown while the export waits). */
  | { kind: 'wait'; delayMs: number; status: WaitStatus; reason: string; lastError?: LastErrorCause; resetBackoff?: boolean }
  | { kind: 'fail'; error: ExportError }
  /** The step already wrote a final state (succeeded, timed_out, ...). */
  | { kind: 'finished' };

/** On to the step after this one in the workflow (workflow.ts). */
export type Advance = { kind: 'advance' };
/** To a step the workflow's jump table lists for `from`. */
export type Jump<S extends WorkflowStep = WorkflowStep> = { kind: 'jump'; from: S; to: JumpTarget<S> };

/** What step `S` answers: the last step of a lane cannot advance, and jumps only where listed. */
export type StepResult<S extends WorkflowStep = WorkflowStep> = StepEnd | (S extends LastStep ? never : Advance) | Jump<S>;

export type StepHandler<S extends WorkflowStep = WorkflowStep> = (ctx: StepContext) => Promise<StepResult<S>>;

export const advance: Advance = { kind: 'advance' };
export const jump = <S extends WorkflowStep>(from: S, to: JumpTarget<S>): Jump<S> => ({ kind: 'jump', from, to });
export const fail = (error: ExportError): StepEnd => ({ kind: 'fail', error });
export const wait = (delayMs: number, status: WaitStatus, reason: string, lastError?: LastErrorCause): StepEnd => ({
  kind: 'wait',
  delayMs,
  status,
  reason,
  ...(lastError === undefined ? {} : { lastError }),
});

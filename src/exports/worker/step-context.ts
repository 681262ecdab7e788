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
import type { CrashPoint } from './crash-points.js';
import type { ExportError, ExportStep, LoadedExport } from './export-model.js';
import type { FencedExport } from './fenced-export.js';
import type { ReadAhead } from './read-ahead.js';

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
  /** The row as last read or written by this activation (steps keep it current). */
  exp: LoadedExport;
  fenced: FencedExport;
  /** How many times this job already waited at the current step (drives backoff). */
  waits: number;
  log: Logger;
}

/** `paused`: a paused recurring export still watching the runs that started before the pause. */
export type WaitStatus = 'running' | 'waiting_for_platform' | 'active' | 'paused';

export type StepResult =
  | { kind: 'next'; step: ExportStep }
  /** `lastError`: the failed Platform call this wait retries (shown while the export waits). */
  | { kind: 'wait'; delayMs: number; status: WaitStatus; reason: string; lastError?: LastErrorCause; resetBackoff?: boolean }
  | { kind: 'fail'; error: ExportError }
  /** The step already wrote a final state (succeeded, timed_out, ...). */
  | { kind: 'finished' };

export type StepHandler = (ctx: StepContext) => Promise<StepResult>;

export const next = (step: ExportStep): StepResult => ({ kind: 'next', step });
export const fail = (error: ExportError): StepResult => ({ kind: 'fail', error });
export const wait = (delayMs: number, status: WaitStatus, reason: string, lastError?: LastErrorCause): StepResult => ({
  kind: 'wait',
  delayMs,
  status,
  reason,
  ...(lastError === undefined ? {} : { lastError }),
});

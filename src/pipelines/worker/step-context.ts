// What every pipeline step handler receives. Handlers never touch BullMQ: they answer `wait` and
// the processor re-schedules the job (delayed, holding no worker slot), `fail`, or `done` with
// their outputs. External ids are saved the moment they are known (`saveIds`), so a crash or a
// second activation resumes instead of recreating.
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../config.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/client.js';
import type { CrashPoint } from '../../jobs/crash-points.js';
import type { PipelineStep } from '../../generated/prisma/client.js';
import type { JobProducer } from '../../jobs/queue.js';
import type { PlatformClient } from '../../platform/client.js';
import type { StoreFactory } from '../../storage/store-factory.js';
import type { MlClient } from '../ml-client.js';
import type { StepOfKind, StepKind } from '../pipeline-definition.js';
import type { StepIdentity } from './external-names.js';
import type { FencedPipeline } from './fenced-pipeline.js';
import type { LoadedPipeline, StepOutcome } from './pipeline-model.js';

export interface PipelineSettings {
  worker: ServiceConfig['worker'];
  pipelines: ServiceConfig['pipelines'];
  mlPlatform: ServiceConfig['mlPlatform'];
  publicUrl: string;
}

export interface PipelineDeps {
  db: Db;
  secrets: SecretBox;
  settings: PipelineSettings;
  crash: CrashPoint;
  now: () => number;
  random: () => number;
  /** Enqueues the export.run job of an export step's export. */
  producer: Pick<JobProducer, 'enqueue'>;
  platformFor(pipeline: LoadedPipeline): PlatformClient;
  mlFor(pipeline: LoadedPipeline): MlClient;
  /** Opens destinations' storage (and tenants' Data Landing Zones) through the adapters. */
  stores: StoreFactory;
}

export interface StepContext<K extends StepKind = StepKind> extends PipelineDeps {
  pipeline: LoadedPipeline;
  fenced: FencedPipeline;
  step: PipelineStep;
  /** The step's definition with every reference replaced by the referenced output. */
  definition: StepOfKind<K>;
  identity: StepIdentity;
  /** External ids saved so far (kept current by saveIds). */
  ids: Record<string, unknown>;
  /** Merges into the step's external ids and writes them at once (fenced). */
  saveIds(patch: Record<string, unknown>): Promise<void>;
  /** How many times the job already waited at this step (drives backoff). */
  waits: number;
  platform: PlatformClient;
  log: Logger;
}

export type StepHandler<K extends StepKind> = (ctx: StepContext<K>) => Promise<StepOutcome>;

export function idOf(ids: Record<string, unknown>, key: string): string | undefined {
  const value = ids[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Timing and size knobs of the simulator's pipeline APIs (Query Service, batch ingestion, segment
// jobs). Per simulator instance and in memory, like the fault configuration: the profile picks the
// defaults and tests or demos change them through PUT /simulator/admin/pipeline.
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';

const ms = (max: number) => z.number().int().min(0).max(max);

export const pipelineSettingsSchema = z.strictObject({
  /** How long a query stays SUBMITTED before a worker picks it up. */
  queryStartDelayMs: ms(86_400_000),
  /** Execution time after which a query ends TIMEOUT (the ad hoc guardrail is 10 minutes). */
  queryTimeoutMs: z.number().int().min(1).max(86_400_000),
  /** Rows a statement may return or write; more fails the query. */
  queryMaxResultRows: z.number().int().min(1).max(10_000_000),
  /** Rows a query may load from the datasets it reads; more fails the query. */
  queryMaxInputRows: z.number().int().min(1).max(20_000_000),
  /** How long a completed batch stays `processing`. */
  batchProcessingDelayMs: ms(86_400_000),
  /** How long a segment job stays NEW/PROCESSING before it is evaluated. */
  segmentJobDelayMs: ms(86_400_000),
});
export type PipelineSettings = z.infer<typeof pipelineSettingsSchema>;
export const pipelineSettingsPatchSchema = pipelineSettingsSchema.partial();
export type PipelineSettingsPatch = z.infer<typeof pipelineSettingsPatchSchema>;

const PROFILE_DEFAULTS: Record<SimulatorContext['config']['profile'], PipelineSettings> = {
  fast: {
    queryStartDelayMs: 0,
    queryTimeoutMs: 600_000,
    queryMaxResultRows: 1_000_000,
    queryMaxInputRows: 2_000_000,
    batchProcessingDelayMs: 0,
    segmentJobDelayMs: 0,
  },
  realistic: {
    queryStartDelayMs: 20_000,
    queryTimeoutMs: 600_000,
    queryMaxResultRows: 1_000_000,
    queryMaxInputRows: 2_000_000,
    batchProcessingDelayMs: 30_000,
    segmentJobDelayMs: 60_000,
  },
};

export class PipelineSettingsHolder {
  private settings: PipelineSettings;

  constructor(defaults: PipelineSettings) {
    this.settings = { ...defaults };
  }

  current(): PipelineSettings {
    return { ...this.settings };
  }

  /** Merges the given fields into the settings (validated by the caller's schema). */
  update(patch: PipelineSettingsPatch): PipelineSettings {
    this.settings = pipelineSettingsSchema.parse({ ...this.settings, ...patch });
    return this.current();
  }
}

const holders = new WeakMap<SimulatorContext, PipelineSettingsHolder>();

export function pipelineSettingsFor(ctx: SimulatorContext): PipelineSettingsHolder {
  let holder = holders.get(ctx);
  if (holder === undefined) {
    holder = new PipelineSettingsHolder(PROFILE_DEFAULTS[ctx.config.profile]);
    holders.set(ctx, holder);
  }
  return holder;
}

// The in-memory fault injector of one simulator instance: decides, per call, whether a rule
// fires (seeded RNG, optional remaining count) and whether a completing run fails.
import type { FaultInjector, RunFailure } from '../context.js';
import { faultConfigSchema, type FaultConfig, type FaultConfigInput, type FaultRule } from './fault-config.js';
import { seededRng, type Rng } from './rng.js';

export const INJECTED_RUN_FAILURE: RunFailure = {
  code: 'ACTIVATION_BATCH-0000-FAILED',
  message: 'Export failed: fault injected by the Platform simulator.',
};

export interface FiredFault {
  rule: FaultRule;
}

export class SimulatorFaultInjector implements FaultInjector {
  private config: FaultConfig;
  private rng: Rng;

  constructor(
    initial: FaultConfigInput,
    private readonly defaultSeed: number,
  ) {
    this.config = faultConfigSchema.parse(initial);
    this.rng = seededRng(this.config.seed ?? defaultSeed);
  }

  current(): FaultConfig {
    return structuredClone(this.config);
  }

  set(input: FaultConfigInput): FaultConfig {
    this.config = faultConfigSchema.parse(input);
    this.rng = seededRng(this.config.seed ?? this.defaultSeed);
    return this.current();
  }

  /** Delay to add to this call, in ms. */
  latencyMs(): number {
    const { latencyMs, latencyJitterMs } = this.config;
    return latencyMs + (latencyJitterMs > 0 ? Math.floor(this.rng() * latencyJitterMs) : 0);
  }

  /**
   * The first rule matching this call that fires, consuming one of its `count`. Rules whose
   * count is used up stay in the config with count 0 so GET shows what happened.
   */
  pickRule(method: string, path: string): FaultRule | null {
    for (const rule of this.config.rules) {
      if (rule.match.method !== undefined && rule.match.method !== method.toUpperCase()) continue;
      if (rule.match.pathPrefix !== undefined && !path.startsWith(rule.match.pathPrefix)) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (rule.rate < 1 && this.rng() >= rule.rate) continue;
      if (rule.count !== undefined) rule.count -= 1;
      return rule;
    }
    return null;
  }

  takeRunFailure(): RunFailure | null {
    if (this.config.failNextRuns > 0) {
      this.config.failNextRuns -= 1;
      return { ...INJECTED_RUN_FAILURE };
    }
    if (this.config.runFailureRate > 0 && this.rng() < this.config.runFailureRate) return { ...INJECTED_RUN_FAILURE };
    return null;
  }
}

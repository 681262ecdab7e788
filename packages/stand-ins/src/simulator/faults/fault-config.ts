// The fault-injection configuration of one simulator instance: set from SIMULATOR_FAULTS at boot
// and replaceable at runtime through PUT /simulator/admin/faults.
import { z } from 'zod';

export const faultEffectSchema = z.enum(['error5xx', 'rateLimit', 'dropResponse', 'timeout']);
export type FaultEffect = z.infer<typeof faultEffectSchema>;

export const faultRuleSchema = z.object({
  /** Which calls the rule applies to; an empty match applies to every non-admin call. */
  match: z
    .object({
      method: z.string().min(1).transform((m) => m.toUpperCase()).optional(),
      pathPrefix: z.string().startsWith('/').optional(),
    })
    .default({}),
  effect: faultEffectSchema,
  /** Probability (0..1) that a matching call is affected, drawn from the seeded RNG. */
  rate: z.number().min(0).max(1).default(1),
  /** Apply the effect this many more times only; absent means "forever". */
  count: z.number().int().min(0).optional(),
  /** Status for error5xx (default 503). */
  status: z.number().int().min(500).max(599).optional(),
  /** Retry-After for rateLimit (default 1 second). */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** How long a `timeout` holds the response at most (default and cap 60 s). */
  holdMs: z.number().int().min(0).max(60_000).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const faultConfigSchema = z.object({
  /** Fixed delay added to every non-admin call. */
  latencyMs: z.number().int().min(0).default(0),
  /** Extra uniformly random delay in [0, latencyJitterMs). */
  latencyJitterMs: z.number().int().min(0).default(0),
  rules: z.array(faultRuleSchema).default([]),
  /** Probability that a completing run fails. */
  runFailureRate: z.number().min(0).max(1).default(0),
  /** The next N completing runs fail (checked before runFailureRate). */
  failNextRuns: z.number().int().min(0).default(0),
  /** Seed of the fault RNG; defaults to the simulator seed. */
  seed: z.number().int().optional(),
});
export type FaultConfig = z.infer<typeof faultConfigSchema>;
/** What callers may send: every field optional, defaults filled in by the schema. */
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

export const NO_FAULTS: FaultConfig = faultConfigSchema.parse({});

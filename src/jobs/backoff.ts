// Delays between looks at the Platform (not-ready answers, run polling, transient failures):
// exponential growth capped at a maximum, with full jitter above the initial delay so many exports
// waiting on the same Platform never wake up in lockstep.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before look number `waitNumber` (0 = first wait): uniform in
 * [initial, min(max, initial * 2^waitNumber)].
 */
export function backoffDelayMs(waitNumber: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const floor = Math.min(policy.initialMs, policy.maxMs);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, waitNumber), 30));
  return Math.round(floor + random() * Math.max(0, ceiling - floor));
}

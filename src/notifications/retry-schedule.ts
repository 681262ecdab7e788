// When a failed notification is tried again: Standard Webhooks' schedule (5 s, 5 min, 30 min, 2 h,
// 5 h, 10 h, 14 h, 20 h, 24 h after the previous attempt), scaled so its first step is the
// configured initial delay (tests use milliseconds), with ±10 % jitter, and never earlier than a
// 429/502/503/504's Retry-After.
const STANDARD_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400];

export function nextAttemptDelayMs(attemptsSoFar: number, initialMs: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const index = Math.min(Math.max(attemptsSoFar - 1, 0), STANDARD_SCHEDULE_SECONDS.length - 1);
  const base = ((STANDARD_SCHEDULE_SECONDS[index] ?? 86_400) / 5) * initialMs;
  const jittered = Math.round(base * (0.9 + random() * 0.2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

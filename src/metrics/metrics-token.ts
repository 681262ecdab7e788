// The optional METRICS_TOKEN check shared by the API's /metrics and the worker's listener.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when no token is configured, or the Authorization header carries it as a Bearer token. */
export function metricsAccessAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
  // Digests have equal length, so the comparison takes the same time whatever was presented.
  return timingSafeEqual(digest(presented), digest(token));
}

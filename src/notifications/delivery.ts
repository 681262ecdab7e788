// One delivery attempt of an outbox row: the thin JSON event, signed with Standard Webhooks
// (`webhook-id` stable across attempts, a fresh timestamp and signature each time), POSTed through
// the SSRF guard (never to private or loopback addresses unless configuration allows it), with a
// timeout. Any 2xx is delivered; 410 means the endpoint is gone; anything else is retried later.
import type { Dispatcher } from 'undici';
import type { NotificationDelivery } from '../generated/prisma/client.js';
import { parseRetryAfterMs } from '../platform/retry-after.js';
import { guardedRequest, SsrfBlockedError, type SsrfGuard } from '../security/ssrf.js';
import { signedHeaders } from '../webhooks/standard-webhooks.js';

export type AttemptResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'blocked'; error: string }
  | { kind: 'retry'; status?: number; error: string; retryAfterMs?: number };

const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

/** The delivery's `webhook-id`: stable for the row (no "." or whitespace, as the spec wants). */
export function webhookIdOf(delivery: Pick<NotificationDelivery, 'id'>): string {
  return `msg_${delivery.id.replaceAll('-', '')}`;
}

export async function attemptDelivery(delivery: NotificationDelivery, secret: string, guard: SsrfGuard, opts: { timeoutMs: number; now: number }): Promise<AttemptResult> {
  const body = JSON.stringify(delivery.payload);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'aep-distiller-jobs-notifications',
    ...signedHeaders({ id: webhookIdOf(delivery), timestamp: Math.floor(opts.now / 1000), body, secrets: secret }),
  };
  let response: Dispatcher.ResponseData;
  try {
    response = await guardedRequest(delivery.targetUrl, { method: 'POST', headers, body, guardForHop: () => guard, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (error) {
    if (error instanceof SsrfBlockedError) return { kind: 'blocked', error: error.message };
    return { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
  }
  await response.body.dump().catch(() => undefined);
  const status = response.statusCode;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 410) return { kind: 'gone', status };
  const retryAfter = RETRY_AFTER_STATUSES.has(status) ? parseRetryAfterMs(response.headers['retry-after'], opts.now) : undefined;
  return { kind: 'retry', status, error: `HTTP ${status}`, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
}

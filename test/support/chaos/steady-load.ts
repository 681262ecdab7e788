// A steady stream of POST /exports, like a client behind a load balancer during a rolling
// restart: one new logical request every `intervalMs`, each sent to whichever API process is
// current at that moment, with its own Idempotency-Key; a connection error, a 5xx or a 409 is
// retried with the same key (exponential backoff with full jitter, as a careful client does)
// until it is answered 202. Every attempt is recorded with its send and answer times, so a
// scenario can say which answers came before and after a process got its signal.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosWorld } from './chaos-world.js';
import type { ExportSpec } from './export-batch.js';

export interface Attempt {
  sentAt: number;
  answeredAt: number;
  /** HTTP status, or the connection error code (ECONNREFUSED, ECONNRESET, ...). */
  outcome: number | string;
}

export interface LogicalRequest {
  key: string;
  attempts: Attempt[];
  /** The export id of the 202 answer. */
  exportId?: string;
}

export interface SteadyLoad {
  readonly requests: readonly LogicalRequest[];
  /** Stops sending new requests and resolves once every request sent got its 202 (or gave up). */
  stop(timeoutMs?: number): Promise<void>;
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'error';
}

export function startSteadyLoad(world: ChaosWorld, specs: readonly ExportSpec[], intervalMs: number): SteadyLoad {
  const requests: LogicalRequest[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let giveUpAt = Number.POSITIVE_INFINITY;

  const send = async (request: LogicalRequest, spec: ExportSpec): Promise<void> => {
    for (let retry = 0; ; retry++) {
      const sentAt = Date.now();
      try {
        const answer = await world.request<{ id?: string }>('POST', '/exports', spec, { 'idempotency-key': request.key });
        request.attempts.push({ sentAt, answeredAt: Date.now(), outcome: answer.status });
        if (answer.status === 202 && answer.body.id !== undefined) {
          request.exportId = answer.body.id;
          return;
        }
        if (answer.status < 500 && answer.status !== 409) return;
      } catch (error) {
        request.attempts.push({ sentAt, answeredAt: Date.now(), outcome: errorCode(error) });
      }
      if (Date.now() > giveUpAt) return;
      await sleep(Math.random() * Math.min(3000, 200 * 2 ** retry));
    }
  };

  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const spec = specs[i % specs.length];
      if (spec === undefined) return;
      const request: LogicalRequest = { key: randomUUID(), attempts: [] };
      requests.push(request);
      const pending = send(request, spec).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
      await sleep(intervalMs);
    }
  })();

  return {
    requests,
    async stop(timeoutMs = 60_000) {
      stopped = true;
      giveUpAt = Date.now() + timeoutMs;
      await loop;
      await Promise.all([...inFlight]);
    },
  };
}

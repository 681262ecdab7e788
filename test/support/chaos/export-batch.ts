// Many exports at once through POST /exports, the way a careful client sends them: each with its
// own Idempotency-Key, retried with the same key after a 5xx or a network error (the API answers
// 502/503 when the Platform fails the dataset check, and replays the first answer of a key it
// has already accepted). Counts every first answer so a scenario can report them.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosWorld, HttpAnswer } from './chaos-world.js';

export interface ExportSpec {
  datasetId: string;
  destinationId: string;
  path: string;
  format: 'parquet' | 'json';
  compression: 'gzip' | 'none';
}

const formats: Pick<ExportSpec, 'format' | 'compression'>[] = [
  { format: 'parquet', compression: 'gzip' },
  { format: 'parquet', compression: 'none' },
  { format: 'json', compression: 'gzip' },
];

/**
 * `count` exports spread round-robin over `bindings` distinct (destination, dataset, path,
 * format) combinations, so exports share flows and flows are distinct.
 */
export function spreadExports(count: number, bindings: number, destinations: string[], datasets: string[]): ExportSpec[] {
  const combos: ExportSpec[] = [];
  for (let i = 0; i < bindings; i++) {
    const destinationId = destinations[i % destinations.length];
    const datasetId = datasets[Math.floor(i / destinations.length) % datasets.length];
    const format = formats[i % formats.length];
    if (destinationId === undefined || datasetId === undefined || format === undefined) throw new Error('no destinations or datasets');
    combos.push({ datasetId, destinationId, path: `chaos/b${i}`, ...format });
  }
  return Array.from({ length: count }, (_, i) => combos[i % combos.length] as ExportSpec);
}

export interface BatchResult {
  /** Export ids answered 202 (one per spec). */
  accepted: string[];
  /** First answers by status and problem code (`network` for a connection error). */
  firstAnswers: Record<string, number>;
  /** Requests sent again with the same key. */
  retries: number;
}

export async function postExports(world: ChaosWorld, specs: ExportSpec[], concurrency = 16, maxAttempts = 20): Promise<BatchResult> {
  const accepted: string[] = [];
  const firstAnswers: Record<string, number> = {};
  let retries = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < specs.length) {
      const spec = specs[next++] as ExportSpec;
      const key = randomUUID();
      const history: number[] = [];
      for (let attempt = 1; ; attempt++) {
        const failed: HttpAnswer<{ id?: string; code?: string }> = { status: 0, body: {} };
        const answer = await world.request<{ id?: string; code?: string }>('POST', '/exports', spec, { 'idempotency-key': key }).catch(() => failed);
        if (attempt === 1) {
          const label = answer.status === 0 ? 'network' : answer.status === 202 ? '202' : `${answer.status} ${answer.body.code ?? ''}`.trim();
          firstAnswers[label] = (firstAnswers[label] ?? 0) + 1;
        }
        if (answer.status === 202 && answer.body.id !== undefined) {
          accepted.push(answer.body.id);
          break;
        }
        const retryable = answer.status === 0 || answer.status >= 500 || answer.status === 409;
        history.push(answer.status);
        if (!retryable || attempt >= maxAttempts) throw new Error(`POST /exports (key ${key}, answers ${history.join(',')}) answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        retries++;
        await sleep(100 * attempt);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, lane));
  return { accepted, firstAnswers, retries };
}

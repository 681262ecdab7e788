// Calls the simulator over real HTTP and keeps what was sent and received, so tests can assert
// on the answer and validate both sides against Adobe's OpenAPI specs.
import type { TestSimulator } from '../../support/simulator.js';

export interface PlatformCall {
  method: string;
  /** Full path with optional query string, e.g. /data/foundation/flowservice/flows?property=name==x */
  path: string;
  body?: unknown;
  /** Headers to add or override on top of the simulator's gateway headers. */
  headers?: Record<string, string>;
  /** Header names to leave out (e.g. content-type on flow actions). */
  omitHeaders?: string[];
  /** Send this raw string instead of JSON.stringify(body). */
  rawBody?: string;
}

export interface PlatformExchange {
  request: { method: string; path: string; headers: Record<string, string>; body?: unknown };
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

export async function call(sim: TestSimulator, spec: PlatformCall): Promise<PlatformExchange> {
  const headers = await sim.headers(spec.headers);
  for (const name of spec.omitHeaders ?? []) delete headers[name.toLowerCase()];
  const hasBody = spec.body !== undefined || spec.rawBody !== undefined;
  if (!hasBody && !(spec.headers && 'content-type' in spec.headers)) delete headers['content-type'];
  const response = await fetch(`${sim.url}${spec.path}`, {
    method: spec.method,
    headers,
    ...(hasBody ? { body: spec.rawBody ?? JSON.stringify(spec.body) } : {}),
  });
  const text = await response.text();
  return {
    request: { method: spec.method, path: spec.path, headers, ...(spec.body === undefined ? {} : { body: spec.body }) },
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

/** Narrows an unknown JSON body to a record for property access in assertions. */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function items(value: unknown): Record<string, unknown>[] {
  const list = obj(value).items;
  if (!Array.isArray(list)) throw new Error(`expected {"items":[...]}, got ${JSON.stringify(value)}`);
  return list.map(obj);
}

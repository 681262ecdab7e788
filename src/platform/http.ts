// The transport under the Platform client: one keep-alive undici Pool per origin, explicit
// connect/headers/body timeouts plus an overall per-call deadline, and the caller's AbortSignal
// passed through. One attempt per call here; retries live in retry.ts (one layer only).
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { classifyNetworkError, networkPhaseOf, type PlatformError } from './errors.js';
import type { PlatformTarget } from './types.js';

export type ResponseHeaders = Dispatcher.ResponseData['headers'];

export interface HttpTimeouts {
  connectMs: number;
  /** Time to the response headers (the Platform's processing time). */
  headersMs: number;
  /** Max idle time between body chunks. */
  bodyMs: number;
  /** Overall deadline of one attempt. */
  callMs: number;
  keepAliveMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  connectMs: 5_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  callMs: 60_000,
  keepAliveMs: 4_000,
};

/** Keep-alive connection pools keyed by origin; share one between clients to share sockets. */
export interface OriginPools {
  poolFor(origin: string): Pool;
  close(): Promise<void>;
}

export function createOriginPools(timeouts: Partial<HttpTimeouts> = {}, connections = 32): OriginPools {
  const t = { ...DEFAULT_HTTP_TIMEOUTS, ...timeouts };
  const pools = new Map<string, Pool>();
  return {
    poolFor(origin) {
      let pool = pools.get(origin);
      if (!pool) {
        pool = new Pool(origin, {
          connections,
          connect: { timeout: t.connectMs },
          keepAliveTimeout: t.keepAliveMs,
          headersTimeout: t.headersMs,
          bodyTimeout: t.bodyMs,
        });
        pools.set(origin, pool);
      }
      return pool;
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((pool) => pool.close()));
    },
  };
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Query parameters as ordered pairs: Flow Service repeats `property` to AND filters. */
export type QueryPairs = readonly (readonly [string, string | number | boolean])[];

export interface RawRequest {
  /** Base URL, may carry a path prefix (e.g. a simulator mounted under /sim). */
  baseUrl: string;
  path: string;
  query?: QueryPairs;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string | Uint8Array | Readable;
  signal?: AbortSignal;
  timeouts: HttpTimeouts;
  /** Call name for errors, e.g. "flows.get". */
  endpoint: string;
}

export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
}

/** Percent-encodes every key and value (spaces as %20, `=` as %3D), never `+`. */
export function encodeQuery(query: QueryPairs | undefined): string {
  if (!query || query.length === 0) return '';
  return '?' + query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text === '') return undefined;
  const type = Array.isArray(contentType) ? contentType.join(',') : (contentType ?? '');
  const looksJson = /json/i.test(type) || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Sends one HTTP request. Resolves with any status; rejects with a transient PlatformError on
 * transport failures, or with the caller's abort reason when the caller's signal fired.
 */
export async function sendRequest(pools: OriginPools, request: RawRequest): Promise<RawResponse> {
  const base = new URL(request.baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const deadline = AbortSignal.timeout(request.timeouts.callMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  try {
    const response = await pools.poolFor(base.origin).request({
      path: prefix + request.path + encodeQuery(request.query),
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
      headersTimeout: request.timeouts.headersMs,
      bodyTimeout: request.timeouts.bodyMs,
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      body: parseBody(text, response.headers['content-type']),
    };
  } catch (error) {
    throw toTransportError(error, request, base.origin, deadline);
  }
}

function toTransportError(error: unknown, request: RawRequest, origin: string, deadline: AbortSignal): unknown {
  if (request.signal?.aborted) return request.signal.reason;
  if (deadline.aborted) {
    return classifyNetworkError({ code: 'CALL_TIMEOUT', cause: error }, 'in_flight', origin, request.endpoint);
  }
  return classifyNetworkError(error, networkPhaseOf(error), origin, request.endpoint) satisfies PlatformError;
}

export interface PlatformHeaderOptions {
  token: string;
  hasBody: boolean;
  accept?: string;
  extra?: Record<string, string>;
}

/** Names this client in every request (the simulator's contract check keys on it). */
export const PLATFORM_CLIENT_USER_AGENT = 'aep-distiller-jobs';

/** The headers every Platform call carries (reference section 1.3). */
export function platformHeaders(target: PlatformTarget, options: PlatformHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token}`,
    'x-api-key': target.clientId,
    'x-gw-ims-org-id': target.orgId,
    'x-sandbox-name': target.sandbox,
    accept: options.accept ?? 'application/json',
    'user-agent': PLATFORM_CLIENT_USER_AGENT,
  };
  // Content-Type only with a body: flow actions must go without one.
  if (options.hasBody) headers['content-type'] = 'application/json';
  return { ...headers, ...options.extra };
}

export function firstHeader(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A non-JSON request body (batch ingestion file bytes). A function, so that every attempt of a
 * retried call gets a fresh body: a stream can be sent only once.
 */
export interface RawBody {
  contentType: string;
  open: () => Uint8Array | Readable;
  /** Sent as Content-Length when known. */
  length?: number;
}

/** A Platform call before authentication: what the client methods describe. */
export interface PlatformCall {
  endpoint: string;
  method: HttpMethod;
  /** Path under the Platform base URL, e.g. /data/foundation/flowservice/flows. */
  path: string;
  query?: QueryPairs;
  /** JSON-serialised when present. */
  body?: unknown;
  /** Bytes instead of a JSON body. */
  rawBody?: RawBody;
  /** Overall deadline of one attempt instead of the client's (uploads of large files). */
  callMs?: number;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One authenticated attempt of a Platform call with the standard Adobe headers. */
export function callPlatform(
  pools: OriginPools,
  target: PlatformTarget,
  token: string,
  call: PlatformCall,
  timeouts: HttpTimeouts,
): Promise<RawResponse> {
  const raw = call.rawBody;
  const hasBody = call.body !== undefined && raw === undefined;
  const rawHeaders = raw === undefined ? {} : { 'content-type': raw.contentType, ...(raw.length === undefined ? {} : { 'content-length': String(raw.length) }) };
  return sendRequest(pools, {
    baseUrl: target.platformUrl,
    path: call.path,
    query: call.query,
    method: call.method,
    headers: platformHeaders(target, { token, hasBody, accept: call.accept, extra: { ...rawHeaders, ...call.headers } }),
    body: raw !== undefined ? raw.open() : hasBody ? JSON.stringify(call.body) : undefined,
    signal: call.signal,
    timeouts: call.callMs === undefined ? timeouts : { ...timeouts, callMs: call.callMs },
    endpoint: call.endpoint,
  });
}

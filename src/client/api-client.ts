// The typed API client for internal tools, CI jobs and the CLI: openapi-fetch over the types
// generated from openapi/openapi.json (schema.d.ts), so a call that does not match the API does
// not compile. Every call carries the API key as a Bearer header.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type ApiClient = Client<paths>;
export type Export = components['schemas']['Export'];
export type ExportSummary = components['schemas']['ExportSummary'];
/** The body of POST /exports (the request side of the schema: defaults may be left out). */
export type CreateExport = components['schemas']['CreateExportInput'];
export type Problem = components['schemas']['Problem'];
export type ExportStatus = Export['status'];

/** Where waiting stops: an on-demand export's end, or a recurring one set up (active), paused or ended. */
export const finalExportStatuses: readonly ExportStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out', 'active', 'paused', 'ended'];

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  apiKey: string;
  /** Extra headers on every call (a user agent naming the tool, say). */
  headers?: Record<string, string>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
  });
}

/** The problem+json members worth showing, when an error body has them. */
function problemOf(body: unknown): Pick<Partial<Problem>, 'title' | 'detail' | 'code'> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { title, detail, code } = body as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { title: text(title), detail: text(detail), code: text(code) };
}

/** An API answer that was not a success, with the problem+json body when there was one. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly problem: Pick<Partial<Problem>, 'title' | 'detail' | 'code'> | undefined;
  constructor(
    readonly status: number,
    body: unknown,
  ) {
    const problem = problemOf(body);
    super(problem?.detail ? `${status} ${problem.title ?? 'error'}: ${problem.detail}` : `the API answered ${status}`);
    this.problem = problem;
  }
}

/** The data of an openapi-fetch result, or an ApiError carrying the problem. */
export function dataOrThrow<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  throw new ApiError(result.response.status, result.error);
}

// Turns 2xx Platform bodies into typed values: zod at the boundary, the `{"items":[...]}` wrapper
// of single-entity GETs, Catalog's `{ "<id>": dataset }` maps, both documented labels shapes and
// the run id inside the ad hoc run's statusURL.
import type { z } from 'zod';
import { PlatformError } from './errors.js';
import { firstHeader, type RawResponse } from './http.js';
import {
  AdhocRunResponseSchema,
  CatalogDatasetSchema,
  LabelPayloadSchema,
  ListEnvelopeSchema,
  type AdhocRunStarted,
  type CatalogDataset,
  type DatasetLabels,
} from './types.js';

export interface ParseContext {
  endpoint: string;
  subject: string;
  /** Set for creates: a 2xx without a usable body still means the object may exist. */
  ambiguous?: boolean;
}

export function unexpectedResponse(ctx: ParseContext, status: number | undefined, detail: string): PlatformError {
  return new PlatformError({
    kind: ctx.ambiguous ? 'transient' : 'permanent',
    ambiguous: ctx.ambiguous ?? false,
    endpoint: ctx.endpoint,
    status,
    code: 'UNEXPECTED_RESPONSE',
    platformMessage: detail,
    plainMessage: `The Platform answered the ${ctx.subject} request in an unexpected shape (${detail}).`,
  });
}

export function parseBody<S extends z.ZodType>(schema: S, response: RawResponse, ctx: ParseContext): z.infer<S> {
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body';
  throw unexpectedResponse(ctx, response.status, where);
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `{"items":[entity]}` -> entity (a bare entity is accepted too). */
export function parseSingleEntity<S extends z.ZodType>(schema: S, response: RawResponse, ctx: ParseContext): z.infer<S> {
  const record = asRecord(response.body);
  const inner = Array.isArray(record?.items) ? (record.items as unknown[])[0] : response.body;
  if (inner === undefined) {
    throw new PlatformError({
      kind: 'not_found',
      endpoint: ctx.endpoint,
      status: response.status,
      plainMessage: `The Platform returned no ${ctx.subject} for that id.`,
    });
  }
  return parseBody(schema, { ...response, body: inner }, ctx);
}

export interface ListPage<T> {
  items: T[];
  continuationToken?: string;
}

/** Flow Service list page; the next page's token is read from `_links.next.href`. */
export function parseListPage<S extends z.ZodType>(schema: S, response: RawResponse, ctx: ParseContext): ListPage<z.infer<S>> {
  const envelope = parseBody(ListEnvelopeSchema, response, ctx);
  const items = envelope.items.map((item) => parseBody(schema, { ...response, body: item }, ctx));
  const href = envelope._links?.next?.href;
  return { items, continuationToken: href === undefined ? undefined : continuationTokenOf(href) };
}

export function continuationTokenOf(href: string): string | undefined {
  const url = new URL(href, 'http://placeholder.invalid');
  return url.searchParams.get('continuationToken') ?? undefined;
}

/** Catalog answers `{ "<id>": object, ... }` (datasets, batches); each object gets its id back. */
export function parseCatalogObjects<S extends z.ZodType<object>>(schema: S, response: RawResponse, ctx: ParseContext, noun: string): (z.infer<S> & { id: string })[] {
  const record = asRecord(response.body);
  if (!record) throw unexpectedResponse(ctx, response.status, `expected an object keyed by ${noun} id`);
  return Object.entries(record).map(([id, value]) => ({
    ...parseBody(schema, { ...response, body: value }, ctx),
    id,
  }));
}

export function parseCatalogDatasets(response: RawResponse, ctx: ParseContext): CatalogDataset[] {
  return parseCatalogObjects(CatalogDatasetSchema, response, ctx, 'dataset');
}

/** Labels come bare (OpenAPI LabelPayload) or keyed by `AEP:dataset:<id>` (docs); accept both. */
export function parseDatasetLabels(response: RawResponse, datasetId: string, ctx: ParseContext): DatasetLabels {
  const record = asRecord(response.body);
  if (!record) throw unexpectedResponse(ctx, response.status, 'expected a labels object');
  const payload =
    'labels' in record || 'optionalLabels' in record
      ? record
      : (record[`AEP:dataset:${datasetId}`] ?? Object.values(record).find((v) => asRecord(v) !== undefined));
  const parsed = parseBody(LabelPayloadSchema, { ...response, body: payload }, ctx);
  return {
    labels: parsed.labels,
    fieldLabels: parsed.optionalLabels.map((entry) => {
      const schemaPath = entry.option?.schemaPath;
      return { schemaPath: typeof schemaPath === 'string' ? schemaPath : undefined, labels: entry.labels };
    }),
    etag: firstHeader(response.headers, 'etag'),
  };
}

/** The run id is the last path segment of the statusURL (as aepp reads it). */
export function runIdFromStatusUrl(statusUrl: string): string | undefined {
  const path = new URL(statusUrl, 'http://placeholder.invalid').pathname;
  const last = path.split('/').filter((segment) => segment !== '').pop();
  return last === undefined ? undefined : decodeURIComponent(last);
}

export function parseAdhocRun(response: RawResponse, flowId: string, datasetId: string, ctx: ParseContext): AdhocRunStarted {
  const body = parseBody(AdhocRunResponseSchema, response, ctx);
  const entries = body.destinations.flatMap((d) => d.datasets);
  const entry = entries.find((e) => e.id === datasetId) ?? entries[0];
  const runId = entry === undefined ? undefined : runIdFromStatusUrl(entry.statusURL);
  if (entry === undefined || runId === undefined) {
    throw unexpectedResponse(ctx, response.status, 'no statusURL for the dataset');
  }
  return { flowId: entry.flowId ?? flowId, datasetId: entry.id ?? datasetId, runId, statusUrl: entry.statusURL };
}

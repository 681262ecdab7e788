// Parsing and rendering of Flow Service list calls, shared by every list route (connections,
// flows, runs, ...): `property=` filters (repeatable, ANDed), `limit`, `continuationToken`,
// `orderby`, `count=true`; pages render as {"items":[...],"_links":{"next":{"href"}}}.
import type { ListPage, ListQuery, PropertyFilter } from '../context.js';

export class InvalidListQueryError extends Error {}

export interface ListQueryDefaults {
  /** Page size when `limit` is absent. */
  limit: number;
  /** Largest accepted `limit`; larger values are clamped (the Platform caps at 100). */
  maxLimit: number;
  orderBy: 'createdAt' | '-createdAt';
}

export const FLOW_SERVICE_LIST_DEFAULTS: ListQueryDefaults = { limit: 100, maxLimit: 100, orderBy: '-createdAt' };

export interface ParsedListQuery extends ListQuery {
  /** `count=true`: answer {"count":N} instead of a page. */
  count: boolean;
}

// Longest operators first so `>=` is not read as `>`.
const OPERATORS = ['==', '!=', '>=', '<=', '>', '<'] as const;

/** Parses one `property=` value: `path==v`, `path!=v`, `path>v`, ..., `path` (exists), `!path`. */
export function parsePropertyFilter(raw: string): PropertyFilter {
  const text = raw.trim();
  if (text === '') throw new InvalidListQueryError('empty property filter');
  let best: { at: number; op: (typeof OPERATORS)[number] } | undefined;
  for (const op of OPERATORS) {
    const at = text.indexOf(op);
    if (at > 0 && (best === undefined || at < best.at)) best = { at, op };
  }
  if (best === undefined) {
    if (/[=<>]/.test(text)) throw new InvalidListQueryError(`invalid property filter: ${raw}`);
    return text.startsWith('!') ? { path: text.slice(1), op: 'not-exists' } : { path: text, op: 'exists' };
  }
  const path = text.slice(0, best.at).trim();
  const value = text.slice(best.at + best.op.length).trim();
  if (path === '') throw new InvalidListQueryError(`invalid property filter: ${raw}`);
  return { path, op: best.op, value };
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

function single(value: unknown): string | undefined {
  return asList(value).at(-1);
}

/** Parses a list call's query string (as Fastify hands it over: repeated keys become arrays). */
export function parseListQuery(query: Record<string, unknown>, defaults: ListQueryDefaults): ParsedListQuery {
  const filters = asList(query.property).map(parsePropertyFilter);
  const limitText = single(query.limit);
  let limit = defaults.limit;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new InvalidListQueryError(`invalid limit: ${limitText}`);
    limit = Math.min(Number(limitText), defaults.maxLimit);
  }
  const orderText = single(query.orderby) ?? single(query.orderBy);
  let orderBy = defaults.orderBy;
  if (orderText !== undefined) {
    const normalised = orderText.replace(/^\+/, '');
    if (normalised !== 'createdAt' && normalised !== '-createdAt') throw new InvalidListQueryError(`unsupported orderby: ${orderText}`);
    orderBy = normalised;
  }
  const countText = single(query.count);
  const continuationToken = single(query.continuationToken);
  return {
    filters,
    limit,
    orderBy,
    count: countText !== undefined && countText.toLowerCase() === 'true',
    ...(continuationToken === undefined || continuationToken === '' ? {} : { continuationToken }),
  };
}

export interface RenderedPage<Item> {
  items: Item[];
  _links: { next?: { href: string } };
}

/**
 * Renders a page; the next link repeats the original query with the new continuation token, so a
 * client can follow it or just extract `continuationToken`.
 */
export function renderListPage<Body, Item>(
  page: ListPage<Body>,
  basePath: string,
  originalQuery: Record<string, unknown>,
  toItem: (body: Body) => Item,
): RenderedPage<Item> {
  const items = page.items.map((entity) => toItem(entity.body));
  if (page.continuationToken === undefined) return { items, _links: {} };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(originalQuery)) {
    if (key === 'continuationToken') continue;
    for (const v of asList(value)) params.append(key, v);
  }
  params.append('continuationToken', page.continuationToken);
  return { items, _links: { next: { href: `${basePath}?${params.toString()}` } } };
}

export function renderCount(count: number): { count: number } {
  return { count };
}

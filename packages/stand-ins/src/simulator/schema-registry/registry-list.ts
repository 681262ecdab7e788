// Listing tenant field groups and schemas (schema-registry.yaml listFieldGroups / listSchemas):
// `Accept` application/vnd.adobe.xed-id+json (summaries) or application/vnd.adobe.xed+json (full
// resources), `orderby` (title, -title, created), `start` (the primary sort value to continue
// after, strictly greater, or less for descending), `limit` (a hint, 1..500; default 300),
// `property` (comma-separated top-level `field==value`, array fields match a member). Answer:
// `{results, _page: {orderby, next, count}, _links}`; `_page.next` carries the `start` value of the
// next page and `_links.next.href` its URL (null / absent on the last page).
import type { Tenancy } from '../context.js';
import { RegistryRejection } from './registry-service.js';
import type { RegistryStore, XdmBody, XdmKind, XdmResource } from './registry-store.js';
import { REGISTRY_BASE } from './xdm-constants.js';

const DEFAULT_LIMIT = 300;
const MAX_LIMIT = 500;
const ORDERABLE = new Set(['title', 'created']);

export interface RegistryListQuery {
  accept: string | undefined;
  orderby?: string;
  start?: string;
  limit?: string;
  property?: string;
}

function acceptKind(accept: string | undefined): 'summary' | 'full' {
  const value = (accept ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (value === 'application/vnd.adobe.xed-id+json') return 'summary';
  if (value === 'application/vnd.adobe.xed+json') return 'full';
  throw new RegistryRejection(
    400,
    'XDM-1006-400',
    `The supplied Accept header is not valid: ${accept ?? '(none)'} - A valid Accept value should look like application/vnd.adobe.{xed|xed-id}+json`,
  );
}

function matches(body: XdmBody, property: string | undefined): boolean {
  if (property === undefined || property.trim() === '') return true;
  return property.split(',').every((clause) => {
    const [field, value] = clause.split('==', 2);
    if (field === undefined || value === undefined) throw new RegistryRejection(400, 'XDM-1000-400', `Unsupported property filter ${clause}; use field==value`);
    const actual = body[field.trim()];
    if (Array.isArray(actual)) return actual.includes(value);
    return (typeof actual === 'string' || typeof actual === 'number' || typeof actual === 'boolean') && String(actual) === value;
  });
}

function sortValue(resource: XdmResource, field: string): string {
  if (field === 'created') return String((resource.body['meta:registryMetadata'] as { 'repo:createdDate'?: number } | undefined)?.['repo:createdDate'] ?? 0).padStart(15, '0');
  return typeof resource.body.title === 'string' ? resource.body.title : '';
}

export async function listRegistryResources(store: RegistryStore, t: Tenancy, kind: XdmKind, query: RegistryListQuery, origin: string): Promise<unknown> {
  const shape = acceptKind(query.accept);
  const orderby = query.orderby ?? 'title';
  const descending = orderby.startsWith('-');
  const field = orderby.replace(/^-/, '').split(',', 1)[0] ?? 'title';
  if (!ORDERABLE.has(field)) throw new RegistryRejection(400, 'XDM-1000-400', `orderby ${orderby} is not supported; use title, -title or created`);
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RegistryRejection(400, 'XDM-1000-400', `limit must be an integer from 1 to ${MAX_LIMIT}`);

  const sorted = (await store.listResources(t, kind))
    .filter((r) => matches(r.body, query.property))
    .sort((a, b) => sortValue(a, field).localeCompare(sortValue(b, field)) * (descending ? -1 : 1));
  const start = query.start;
  const after = start === undefined ? sorted : sorted.filter((r) => (descending ? sortValue(r, field) < start : sortValue(r, field) > start));
  const page = after.slice(0, limit);
  const last = page.at(-1);
  const next = after.length > page.length && last !== undefined ? sortValue(last, field) : null;
  const results = page.map((r) =>
    shape === 'full' ? r.body : { $id: r.id, 'meta:altId': r.altId, version: typeof r.body.version === 'string' ? r.body.version : '1.0', title: r.body.title },
  );
  const nextHref = next === null ? undefined : `${origin}${REGISTRY_BASE}/tenant/${kind}?${new URLSearchParams({ orderby, start: next, limit: String(limit), ...(query.property === undefined ? {} : { property: query.property }) }).toString()}`;
  return {
    results,
    _page: { orderby, next, count: results.length },
    _links: nextHref === undefined ? {} : { next: { href: nextHref } },
  };
}

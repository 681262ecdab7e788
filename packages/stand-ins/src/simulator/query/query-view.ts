// A query as Query Service returns it (query-service.yaml `query`): ISO times, elapsedTime from
// the move to IN_PROGRESS, rowCount once SUCCESS, and _links (cancel, soft_delete, the datasets it
// read and, for a CTAS, the dataset it created).
import type { QueryRecord } from './query-record.js';

export const QUERY_BASE = '/data/foundation/query';
export const CATALOG_DATASETS_PATH = '/data/foundation/catalog/dataSets';

export interface QueryLinks {
  self: { href: string };
  cancel: { href: string; method: 'PATCH'; body: string };
  soft_delete: { href: string; method: 'PATCH'; body: string };
  referenced_datasets: { id: string; href: string }[];
  created_dataset?: { id: string; href: string };
}

export interface QueryView {
  id: string;
  request: QueryRecord['request'];
  effectiveSQL: string;
  isCTAS: boolean;
  isInsertInto: boolean;
  state: QueryRecord['state'];
  created: string;
  updated: string;
  elapsedTime: number;
  rowCount: number;
  userId: string;
  client: string;
  errors: QueryRecord['errors'];
  _links: QueryLinks;
  version: number;
}

function elapsedMs(record: QueryRecord, nowMs: number): number {
  if (record.startedMs === null) return 0;
  return Math.max(0, (record.endedMs ?? nowMs) - record.startedMs);
}

/** `origin` is protocol://host the caller used, so links work behind any local port. */
export function queryView(record: QueryRecord, origin: string, nowMs: number): QueryView {
  const self = `${origin}${QUERY_BASE}/queries/${record.id}`;
  return {
    id: record.id,
    request: record.request,
    effectiveSQL: record.effectiveSql,
    isCTAS: record.isCtas,
    isInsertInto: record.isInsertInto,
    state: record.state,
    created: new Date(record.createdMs).toISOString(),
    updated: new Date(record.updatedMs).toISOString(),
    elapsedTime: elapsedMs(record, nowMs),
    rowCount: record.state === 'SUCCESS' ? (record.rowCount ?? 0) : 0,
    userId: record.userId,
    client: record.client,
    errors: record.errors,
    _links: {
      self: { href: self },
      cancel: { href: self, method: 'PATCH', body: '{"op":"cancel"}' },
      soft_delete: { href: self, method: 'PATCH', body: '{"op":"soft_delete"}' },
      referenced_datasets: record.referencedDatasetIds.map((id) => ({ id, href: `${origin}${CATALOG_DATASETS_PATH}/${id}` })),
      ...(record.createdDatasetId === null ? {} : { created_dataset: { id: record.createdDatasetId, href: `${origin}${CATALOG_DATASETS_PATH}/${record.createdDatasetId}` } }),
    },
    version: 1,
  };
}

// GET /queries parameters (query-service.yaml listQueries): orderby ±created, limit, start (the
// created time to continue after), property filters (comma-separated), excludeSoftDeleted.
import type { QueryFilter, QueryListOptions } from './query-store.js';

export class InvalidQueryListError extends Error {}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return single(value.at(-1));
  return typeof value === 'string' ? value : undefined;
}

function parseTime(text: string, what: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidQueryListError(`${what} must be an ISO timestamp, got ${text}`);
  return ms;
}

type QueryFilterOp = '==' | '!=' | '>' | '<' | '>=' | '<=' | '~';

const FILTER = /^\s*([A-Za-z_]+)\s*(==|!=|>=|<=|>|<|~)\s*(.*?)\s*$/;

export function parseQueryFilter(raw: string): QueryFilter {
  const match = FILTER.exec(raw);
  if (match === null) throw new InvalidQueryListError(`invalid property filter: ${raw}`);
  const [, field = '', opText = '', value = ''] = match;
  const op = opText as QueryFilterOp;
  switch (field) {
    case 'state':
    case 'id':
    case 'client':
    case 'userId':
      if (op !== '==' && op !== '!=') throw new InvalidQueryListError(`${field} supports == and != in the simulator`);
      return { field, op, value };
    case 'created':
    case 'updated':
      if (op === '~') throw new InvalidQueryListError(`${field} does not support ~`);
      return { field, op, valueMs: parseTime(value, field) };
    case 'sql':
      if (op !== '~') throw new InvalidQueryListError('sql supports only the contains operator ~');
      return { field, op, value };
    case 'referenced_datasets':
      if (op !== '==') throw new InvalidQueryListError('referenced_datasets supports only ==');
      return { field, op, values: value.split('||').map((v) => v.trim()).filter((v) => v !== '') };
    default:
      throw new InvalidQueryListError(`filtering on ${field} is not supported`);
  }
}

export interface ParsedQueryList extends QueryListOptions {
  orderby: '+created' | '-created';
  property?: string;
}

export function parseQueryList(query: Record<string, unknown>): ParsedQueryList {
  const orderText = (single(query.orderby) ?? '-created').replace(/^ /, '+');
  if (!['created', '+created', '-created'].includes(orderText)) throw new InvalidQueryListError(`orderby ${orderText} is not supported (created, -created)`);
  const descending = orderText === '-created';
  const limitText = single(query.limit);
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new InvalidQueryListError(`invalid limit: ${limitText}`);
    limit = Math.min(Number(limitText), MAX_LIMIT);
  }
  const startText = single(query.start);
  const property = single(query.property);
  const filters = property === undefined || property.trim() === '' ? [] : property.split(',').map(parseQueryFilter);
  const excludeText = single(query.excludeSoftDeleted);
  return {
    orderby: descending ? '-created' : '+created',
    descending,
    limit,
    filters,
    excludeSoftDeleted: excludeText === undefined || excludeText.toLowerCase() !== 'false',
    ...(startText === undefined || startText === '' ? {} : { startMs: parseTime(startText, 'start') }),
    ...(property === undefined ? {} : { property }),
  };
}

// Translates parsed `property=` filters into SQL over the jsonb body. Values always travel as
// bind parameters; paths are restricted to identifier characters before they reach the SQL text,
// and are written as literals so Postgres can use the expression indexes of ddl.ts.
import type { PropertyFilter } from '../context.js';

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class InvalidFilterError extends Error {}

interface ParsedPath {
  /** Segments before a `[]`, or the whole path when there is none. */
  head: string[];
  /** Segments after `[]` (empty when `[]` ends the path). */
  tail: string[];
  isArray: boolean;
}

function parsePath(path: string): ParsedPath {
  const arrayAt = path.indexOf('[]');
  const isArray = arrayAt >= 0;
  const headText = isArray ? path.slice(0, arrayAt) : path;
  const tailText = isArray ? path.slice(arrayAt + 2).replace(/^\./, '') : '';
  const head = headText.split('.');
  const tail = tailText === '' ? [] : tailText.split('.');
  for (const segment of [...head, ...tail]) {
    if (!SEGMENT.test(segment)) throw new InvalidFilterError(`invalid property path: ${path}`);
  }
  if (tail.some((s) => s.includes('[]'))) throw new InvalidFilterError(`nested [] not supported: ${path}`);
  return { head, tail, isArray };
}

function pathLiteral(segments: string[]): string {
  return `'{${segments.join(',')}}'`;
}

/** The JSON values an `==` against an array element may mean: the string, and a number/boolean. */
function candidateValues(value: string): unknown[] {
  const candidates: unknown[] = [value];
  if (value === 'true' || value === 'false') candidates.push(value === 'true');
  else if (/^-?\d+(\.\d+)?$/.test(value)) candidates.push(Number(value));
  return candidates;
}

function nest(tail: string[], leaf: unknown): unknown {
  return tail.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf);
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Appends one SQL condition per filter to `conditions`, pushing bind values onto `params`
 * (placeholders continue from params.length).
 */
export function filtersToSql(filters: PropertyFilter[], conditions: string[], params: unknown[]): void {
  for (const filter of filters) conditions.push(filterToSql(filter, params));
}

function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

function filterToSql(filter: PropertyFilter, params: unknown[]): string {
  const path = parsePath(filter.path);
  const value = filter.value ?? '';
  if (path.isArray) {
    const array = `(body #> ${pathLiteral(path.head)})`;
    // Bound only for the operators that use it: an unused placeholder has no type.
    const anyMatch = () => `(${candidateValues(value).map((candidate) => `${array} @> ${bind(params, JSON.stringify([nest(path.tail, candidate)]))}::jsonb`).join(' OR ')})`;
    switch (filter.op) {
      case '==':
        return anyMatch();
      case '!=':
        return `NOT COALESCE(${anyMatch()}, false)`;
      case 'exists':
        return `jsonb_array_length(COALESCE(${array}, '[]'::jsonb)) > 0`;
      case 'not-exists':
        return `jsonb_array_length(COALESCE(${array}, '[]'::jsonb)) = 0`;
      case '>':
      case '<':
      case '>=':
      case '<=':
        throw new InvalidFilterError(`operator ${filter.op} is not supported on arrays`);
    }
  }
  const segments = path.head;
  // Top-level name and id have their own indexed columns.
  const text = segments.length === 1 && (segments[0] === 'name' || segments[0] === 'id') ? segments[0] : `(body #>> ${pathLiteral(segments)})`;
  const json = `(body #> ${pathLiteral(segments)})`;
  switch (filter.op) {
    case '==':
      return `${text} = ${bind(params, value)}`;
    case '!=':
      return `${text} IS DISTINCT FROM ${bind(params, value)}`;
    case 'exists':
      return `${json} IS NOT NULL`;
    case 'not-exists':
      return `${json} IS NULL`;
    case '>':
    case '<':
    case '>=':
    case '<=':
      if (NUMERIC.test(value)) {
        return `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${text})::numeric ${filter.op} ${bind(params, value)}::numeric ELSE false END)`;
      }
      return `${text} ${filter.op} ${bind(params, value)}`;
  }
}

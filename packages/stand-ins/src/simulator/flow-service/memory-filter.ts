// Evaluates parsed `property=` filters on in-memory documents (the static connection and flow
// specs), with the same semantics as the SQL translation in store/filter-sql.ts.
import type { PropertyFilter } from '../context.js';

function valueAt(document: unknown, segments: string[]): unknown {
  let current: unknown = document;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function compare(actual: string | undefined, filter: PropertyFilter): boolean {
  const expected = filter.value ?? '';
  switch (filter.op) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'exists':
      return actual !== undefined;
    case 'not-exists':
      return actual === undefined;
    case '>':
    case '<':
    case '>=':
    case '<=': {
      if (actual === undefined) return false;
      const [a, b] = [Number(actual), Number(expected)];
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return filter.op === '>' ? a > b : filter.op === '<' ? a < b : filter.op === '>=' ? a >= b : a <= b;
    }
  }
}

export function matchesFilter(document: unknown, filter: PropertyFilter): boolean {
  const arrayAt = filter.path.indexOf('[]');
  if (arrayAt < 0) return compare(asText(valueAt(document, filter.path.split('.'))), filter);
  const array = valueAt(document, filter.path.slice(0, arrayAt).split('.'));
  const rest = filter.path.slice(arrayAt + 2).replace(/^\./, '');
  const elements = Array.isArray(array) ? array : [];
  if (filter.op === 'exists') return elements.length > 0;
  if (filter.op === 'not-exists') return elements.length === 0;
  const matches = elements.some((element) => compare(asText(rest === '' ? element : valueAt(element, rest.split('.'))), { ...filter, op: filter.op === '!=' ? '==' : filter.op }));
  return filter.op === '!=' ? !matches : matches;
}

export function matchesAll(document: unknown, filters: PropertyFilter[]): boolean {
  return filters.every((filter) => matchesFilter(document, filter));
}

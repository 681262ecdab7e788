// The column schema of a simulated dataset: a tree of XDM-like fields. It drives the Parquet schema
// of exports, the Catalog `observableSchema`, and the normal form rows are stored in.

export type LeafType = 'string' | 'boolean' | 'integer' | 'long' | 'double' | 'timestamp';

export interface LeafField {
  name: string;
  type: LeafType;
}

export interface StructField {
  name: string;
  fields: Field[];
}

export type Field = LeafField | StructField;

/** A dataset row: JSON objects whose leaves are strings, numbers or booleans (timestamps as ISO strings). */
export type Row = Record<string, unknown>;

export function isStruct(field: Field): field is StructField {
  return 'fields' in field;
}

export const leaf = (name: string, type: LeafType): LeafField => ({ name, type });
export const struct = (name: string, fields: Field[]): StructField => ({ name, fields });

/**
 * The stored normal form of a row: null and undefined values and empty objects are dropped. Rows are
 * stored and exported as NDJSON this way (like Spark's JSON writer, which omits nulls).
 */
export function compactRow(value: Row): Row {
  const out: Row = {};
  for (const [key, v] of Object.entries(value)) {
    const compacted = compactValue(v);
    if (compacted !== undefined) out[key] = compacted;
  }
  return out;
}

function compactValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => compactValue(v) ?? null);
  if (typeof value === 'object') {
    const nested = compactRow(value as Row);
    return Object.keys(nested).length === 0 ? undefined : nested;
  }
  return value;
}

interface JsonSchemaNode {
  type: string;
  format?: string;
  properties?: Record<string, JsonSchemaNode>;
}

/** The Catalog `observableSchema` of a dataset: the JSON Schema subset its rows actually use. */
export function observableSchema(fields: Field[]): JsonSchemaNode {
  return { type: 'object', properties: Object.fromEntries(fields.map((f) => [f.name, fieldJsonSchema(f)])) };
}

function fieldJsonSchema(field: Field): JsonSchemaNode {
  if (isStruct(field)) return observableSchema(field.fields);
  switch (field.type) {
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'integer':
    case 'long':
      return { type: 'integer' };
    case 'double':
      return { type: 'number' };
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
  }
}

/** Infers a field tree from sample rows (for datasets created from arbitrary rows, e.g. CTAS). */
export function inferFields(rows: readonly Row[]): Field[] {
  const merged = new Map<string, Field>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      const inferred = inferField(name, value);
      if (inferred === null) continue;
      const existing = merged.get(name);
      merged.set(name, existing === undefined ? inferred : mergeFields(existing, inferred));
    }
  }
  return [...merged.values()];
}

function inferField(name: string, value: unknown): Field | null {
  if (value === null || value === undefined || Array.isArray(value)) return null;
  if (typeof value === 'object') return struct(name, inferFields([value as Row]));
  if (typeof value === 'boolean') return leaf(name, 'boolean');
  if (typeof value === 'number') return leaf(name, Number.isInteger(value) ? 'long' : 'double');
  if (typeof value === 'string' && ISO_TIMESTAMP.test(value)) return leaf(name, 'timestamp');
  return leaf(name, 'string');
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function mergeFields(a: Field, b: Field): Field {
  if (isStruct(a) && isStruct(b)) {
    const byName = new Map(a.fields.map((f) => [f.name, f]));
    for (const f of b.fields) {
      const existing = byName.get(f.name);
      byName.set(f.name, existing === undefined ? f : mergeFields(existing, f));
    }
    return struct(a.name, [...byName.values()]);
  }
  if (!isStruct(a) && !isStruct(b)) {
    if (a.type === b.type) return a;
    const numeric = new Set<LeafType>(['integer', 'long', 'double']);
    if (numeric.has(a.type) && numeric.has(b.type)) return leaf(a.name, 'double');
  }
  return leaf(a.name, 'string');
}

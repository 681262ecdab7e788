// Moves data between the simulator's dataset rows and DuckDB: a dataset's field tree becomes
// column types (nested objects as STRUCTs, so `_cmle.userid` works as in Data Distiller), and a
// result's DuckDB types become a field tree again, with values converted to stored-row JSON
// (timestamps as ISO strings, 64/128-bit integers as numbers).
import { DuckDBStructType, DuckDBTypeId, type DuckDBType, type JS } from '@duckdb/node-api';
import { isStruct, leaf, struct, type Field, type LeafType, type Row } from '../datasets/fields.js';
import { quoteIdentifier } from './sql-text.js';

const LEAF_SQL_TYPES: Record<LeafType, string> = {
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  integer: 'INTEGER',
  long: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
};

/** Fields DuckDB can hold: structs without children are dropped (DuckDB has no empty STRUCT). */
export function loadableFields(fields: readonly Field[]): Field[] {
  const out: Field[] = [];
  for (const field of fields) {
    if (!isStruct(field)) out.push(field);
    else {
      const children = loadableFields(field.fields);
      if (children.length > 0) out.push(struct(field.name, children));
    }
  }
  return out;
}

/** The DuckDB column type of a (loadable) field, e.g. STRUCT("userid" VARCHAR). */
export function columnType(field: Field): string {
  if (!isStruct(field)) return LEAF_SQL_TYPES[field.type];
  return `STRUCT(${field.fields.map((f) => `${quoteIdentifier(f.name)} ${columnType(f)}`).join(', ')})`;
}

/** The `from_json` structure describing rows of these fields. */
export function jsonStructure(fields: readonly Field[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, isStruct(f) ? jsonStructure(f.fields) : LEAF_SQL_TYPES[f.type]]));
}

const LEAF_TYPES_BY_ID: ReadonlyMap<DuckDBTypeId, LeafType> = new Map<DuckDBTypeId, LeafType>([
  [DuckDBTypeId.BOOLEAN, 'boolean'],
  [DuckDBTypeId.TINYINT, 'integer'],
  [DuckDBTypeId.SMALLINT, 'integer'],
  [DuckDBTypeId.INTEGER, 'integer'],
  [DuckDBTypeId.UTINYINT, 'integer'],
  [DuckDBTypeId.USMALLINT, 'integer'],
  [DuckDBTypeId.BIGINT, 'long'],
  [DuckDBTypeId.UINTEGER, 'long'],
  [DuckDBTypeId.UBIGINT, 'long'],
  [DuckDBTypeId.HUGEINT, 'long'],
  [DuckDBTypeId.UHUGEINT, 'long'],
  [DuckDBTypeId.FLOAT, 'double'],
  [DuckDBTypeId.DOUBLE, 'double'],
  [DuckDBTypeId.DECIMAL, 'double'],
  [DuckDBTypeId.TIMESTAMP, 'timestamp'],
  [DuckDBTypeId.TIMESTAMP_S, 'timestamp'],
  [DuckDBTypeId.TIMESTAMP_MS, 'timestamp'],
  [DuckDBTypeId.TIMESTAMP_NS, 'timestamp'],
  [DuckDBTypeId.TIMESTAMP_TZ, 'timestamp'],
  [DuckDBTypeId.DATE, 'timestamp'],
]);

/** Strings, UUIDs and enums stay strings; lists and maps are stored as their JSON text. */
function leafTypeOf(typeId: DuckDBTypeId): LeafType {
  return LEAF_TYPES_BY_ID.get(typeId) ?? 'string';
}

/** The field a result column becomes in the dataset written by a CTAS. */
export function fieldFromColumn(name: string, type: DuckDBType): Field {
  if (type instanceof DuckDBStructType) {
    return struct(
      name,
      type.entryNames.map((entry, index) => fieldFromColumn(entry, type.entryTypes[index] as DuckDBType)),
    );
  }
  return leaf(name, leafTypeOf(type.typeId));
}

function jsonText(value: JS): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
}

/** Converts one result value to its stored-row form for `field`. */
export function storedValue(field: Field, value: JS): unknown {
  if (value === null) return null;
  if (isStruct(field)) {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof Uint8Array) return null;
    const source = value as Record<string, JS>;
    return Object.fromEntries(field.fields.map((child) => [child.name, storedValue(child, source[child.name] ?? null)]));
  }
  switch (field.type) {
    case 'timestamp':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
    case 'integer':
    case 'long':
    case 'double':
      return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : jsonText(value);
  }
}

export function storedRow(fields: readonly Field[], row: Record<string, JS>): Row {
  return Object.fromEntries(fields.map((f) => [f.name, storedValue(f, row[f.name] ?? null)]));
}

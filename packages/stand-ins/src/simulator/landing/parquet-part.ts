// Encodes rows as one Parquet file with hyparquet-writer. Nested XDM objects are written as Parquet
// structs (optional groups), the way Spark writes Platform's exports; timestamps are INT64
// TIMESTAMP_MILLIS, `long` is INT64, `integer` INT32. Compression GZIP uses the GZIP codec.
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { isStruct, type Field, type LeafField, type Row } from '../datasets/fields.js';
import type { ExportCompression } from './landing-path.js';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

function leafElement(field: LeafField): SchemaElement {
  switch (field.type) {
    case 'string':
      return { name: field.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
    case 'boolean':
      return { name: field.name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' };
    case 'integer':
      return { name: field.name, type: 'INT32', repetition_type: 'OPTIONAL' };
    case 'long':
      return { name: field.name, type: 'INT64', repetition_type: 'OPTIONAL' };
    case 'double':
      return { name: field.name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
    case 'timestamp':
      return { name: field.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' };
  }
}

/** Flattened schema elements in depth-first order, as Parquet's footer lists them. */
export function parquetSchema(fields: Field[]): SchemaElement[] {
  const elements: SchemaElement[] = [{ name: 'root', num_children: fields.length }];
  const visit = (field: Field): void => {
    if (isStruct(field)) {
      elements.push({ name: field.name, repetition_type: 'OPTIONAL', num_children: field.fields.length });
      field.fields.forEach(visit);
    } else {
      elements.push(leafElement(field));
    }
  };
  fields.forEach(visit);
  return elements;
}

/** Converts one stored value to what the writer expects for its field (null when absent). */
function parquetValue(field: Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isStruct(field)) {
    if (typeof value !== 'object' || Array.isArray(value)) return null;
    const source = value as Row;
    return Object.fromEntries(field.fields.map((child) => [child.name, parquetValue(child, source[child.name])]));
  }
  switch (field.type) {
    case 'timestamp':
      return typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
    case 'long':
      return typeof value === 'number' || typeof value === 'bigint' ? BigInt(value) : null;
    case 'integer':
    case 'double':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

export function encodeParquet(rows: readonly Row[], fields: Field[], compression: ExportCompression): Uint8Array {
  const columnData = fields.map((field) => ({ name: field.name, data: rows.map((row) => parquetValue(field, row[field.name])) }));
  const buffer = parquetWriteBuffer({
    columnData,
    schema: parquetSchema(fields),
    codec: compression === 'GZIP' ? 'GZIP' : 'UNCOMPRESSED',
    compressors: { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)) },
    createdBy: 'aep-platform-simulator',
  });
  return new Uint8Array(buffer);
}

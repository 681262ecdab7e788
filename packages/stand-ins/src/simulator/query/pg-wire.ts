// The backend messages of a simple-query answer (PostgreSQL protocol 3.0, "Message Formats"):
// RowDescription, DataRow, CommandComplete, ErrorResponse and ReadyForQuery, in text format.
import type { Field } from '../datasets/fields.js';
import { isStruct } from '../datasets/fields.js';
import type { EngineVoice } from './engine-voice.js';

/** Type OIDs (pg_type) of the columns the interface sends. */
const OID = { bool: 16, int8: 20, int4: 23, text: 25, json: 114, float8: 701, timestamptz: 1184 } as const;

function message(code: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cstring = (text: string): Buffer => Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

function oidOf(field: Field): number {
  if (isStruct(field)) return OID.json;
  switch (field.type) {
    case 'boolean':
      return OID.bool;
    case 'integer':
      return OID.int4;
    case 'long':
      return OID.int8;
    case 'double':
      return OID.float8;
    case 'timestamp':
      return OID.timestamptz;
    case 'string':
      return OID.text;
  }
}

/** A value in PostgreSQL's text format for its column type; null stays SQL NULL. */
function textOf(field: Field, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (isStruct(field) || typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // timestamptz's text form: "2024-01-02 03:04:05.678+00".
  if (field.type === 'timestamp' && typeof value === 'string') return value.replace('T', ' ').replace(/Z$/, '+00');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function rowDescription(fields: readonly Field[]): Buffer {
  const columns = fields.map((field) =>
    Buffer.concat([cstring(field.name), int32(0), int16(0), int32(oidOf(field)), int16(-1), int32(-1), int16(0)]),
  );
  return message('T', Buffer.concat([int16(fields.length), ...columns]));
}

export function dataRow(fields: readonly Field[], row: Record<string, unknown>): Buffer {
  const cells = fields.map((field) => {
    const text = textOf(field, row[field.name]);
    if (text === null) return int32(-1);
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([int32(bytes.length), bytes]);
  });
  return message('D', Buffer.concat([int16(fields.length), ...cells]));
}

export const commandComplete = (tag: string): Buffer => message('C', cstring(tag));
export const readyForQuery = (): Buffer => message('Z', Buffer.from('I', 'latin1'));
export const emptyQueryResponse = (): Buffer => message('I', Buffer.alloc(0));

export function errorResponse(error: EngineVoice, severity: 'ERROR' | 'FATAL' = 'ERROR'): Buffer {
  const parts = [
    Buffer.from('S'), cstring(severity),
    Buffer.from('V'), cstring(severity),
    Buffer.from('C'), cstring(error.code),
    Buffer.from('M'), cstring(error.message),
    ...(error.position === undefined ? [] : [Buffer.from('P'), cstring(String(error.position))]),
    Buffer.from([0]),
  ];
  return message('E', Buffer.concat(parts));
}

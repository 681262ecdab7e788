// Encodes rows as newline-delimited JSON (the Platform's JSON export format), gzip-compressed
// unless compression is NONE.
import { gzipSync } from 'node:zlib';
import type { Row } from '../datasets/fields.js';
import type { ExportCompression } from './landing-path.js';

export function encodeNdjson(rows: readonly Row[], compression: ExportCompression): Uint8Array {
  const text = rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
  const bytes = Buffer.from(text, 'utf8');
  return new Uint8Array(compression === 'GZIP' ? gzipSync(bytes) : bytes);
}

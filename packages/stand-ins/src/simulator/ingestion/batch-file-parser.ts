// Reads an uploaded JSON file: a JSON array of objects (aepp's default, isMultiLineJson) or
// newline-delimited JSON. Every row must be an object holding the dataset's primary identity.
import type { Row } from '../datasets/fields.js';
import { valueAt } from '../schema-registry/dataset-profile.js';
import type { BatchError } from './batch-record.js';

export interface ParsedFile {
  rows: Row[];
  /** Rows that failed validation (1-based numbers within the file). */
  failedRows: number[];
  errors: BatchError[];
}

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "3", "5-7" style ranges of sorted row numbers. */
export function rowRanges(numbers: readonly number[]): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] ?? 0) + 1) j++;
    ranges.push(i === j ? String(numbers[i]) : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return ranges;
}

function parseValues(fileName: string, text: string): unknown[] | BatchError {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
    } catch (error) {
      return { code: 'INGEST-1003-400', description: `File ${fileName} is not valid JSON: ${(error as Error).message}` };
    }
  }
  const values: unknown[] = [];
  for (const [index, line] of trimmed.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      return { code: 'INGEST-1003-400', description: `File ${fileName} is not valid JSON at line ${index + 1}`, rows: [String(index + 1)] };
    }
  }
  return values;
}

export function parseBatchFile(fileName: string, bytes: Buffer, identityPath: readonly string[] | null): ParsedFile {
  const values = parseValues(fileName, bytes.toString('utf8'));
  if (!Array.isArray(values)) return { rows: [], failedRows: [], errors: [values] };
  const rows: Row[] = [];
  const notObjects: number[] = [];
  const noIdentity: number[] = [];
  values.forEach((value, index) => {
    if (!isRow(value)) notObjects.push(index + 1);
    else if (identityPath !== null && !isIdentityValue(valueAt(value, identityPath))) noIdentity.push(index + 1);
    else rows.push(value);
  });
  const errors: BatchError[] = [];
  if (notObjects.length > 0) errors.push({ code: 'INGEST-1001-400', description: `${fileName}: rows must be JSON objects`, rows: rowRanges(notObjects) });
  if (noIdentity.length > 0 && identityPath !== null) {
    errors.push({ code: 'INGEST-1002-400', description: `${fileName}: the required identity field ${identityPath.join('.')} is missing or empty`, rows: rowRanges(noIdentity) });
  }
  return { rows, failedRows: [...notObjects, ...noIdentity].sort((a, b) => a - b), errors };
}

function isIdentityValue(value: unknown): boolean {
  return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';
}

// The errors[] entries of a failed query: SQLSTATE-like codes (Data Distiller reports PostgreSQL
// codes, e.g. 53400 for the execution time limit) with a readable message.
import type { QueryError } from './query-record.js';

export const QUERY_ERROR_CODES = {
  syntax: '42601',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  duplicateTable: '42P07',
  featureNotSupported: '0A000',
  dataException: '22000',
  programLimit: '54000',
  timeout: '53400',
  cancelled: '57014',
  interrupted: '57P01',
  internal: 'XX000',
} as const;

export function userError(code: string, message: string): QueryError {
  return { code, message, errorType: 'USER_ERROR' };
}

export function systemError(code: string, message: string): QueryError {
  return { code, message, errorType: 'SYSTEM_ERROR' };
}

/** Maps a DuckDB error (e.g. "Parser Error: syntax error at or near …") to a query error. */
export function errorFromEngine(error: unknown): QueryError {
  const text = error instanceof Error ? error.message : String(error);
  // DuckDB appends "LINE 1: …" and a caret; the first paragraph is the message.
  // The streaming API prefixes parse failures with "Failed to extract statements: ".
  const message = (text.split(/\n\s*\n/, 1)[0]?.trim() ?? text).replace(/^Failed to extract statements:\s*/, '');
  if (/^Parser Error/i.test(message)) return userError(QUERY_ERROR_CODES.syntax, `Syntax error encountered. ${message}`);
  if (/^Catalog Error: Table with name/i.test(message)) return userError(QUERY_ERROR_CODES.undefinedTable, message);
  if (/^Catalog Error: .*Function with name/i.test(message)) return userError(QUERY_ERROR_CODES.undefinedFunction, message);
  if (/^Catalog Error/i.test(message)) return userError(QUERY_ERROR_CODES.undefinedColumn, message);
  if (/^Binder Error/i.test(message)) return userError(QUERY_ERROR_CODES.undefinedColumn, message);
  if (/^(Conversion|Invalid Input|Out of Range) Error/i.test(message)) return userError(QUERY_ERROR_CODES.dataException, message);
  if (/^Permission Error/i.test(message)) return userError(QUERY_ERROR_CODES.featureNotSupported, `${message} (the simulator's queries can only read datasets)`);
  if (/^Out of Memory Error/i.test(message)) return userError(QUERY_ERROR_CODES.programLimit, message);
  return userError(QUERY_ERROR_CODES.internal, message);
}

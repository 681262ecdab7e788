// The errors[] entries of a failed query: SQLSTATE-like codes (Data Distiller reports PostgreSQL
// codes, e.g. 53400 for the execution time limit) with a readable message.
import { engineVoice } from './engine-voice.js';
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

/** A DuckDB error in Query Service's words (engine-voice.ts), with its position when known. */
export function errorFromEngine(error: unknown, sql = ''): QueryError {
  const voice = engineVoice(error, sql);
  const where = voice.position === undefined ? '' : ` (position ${voice.position})`;
  const prefix = voice.code === QUERY_ERROR_CODES.syntax ? 'Syntax error encountered: ' : '';
  return userError(voice.code, `${prefix}${voice.message}${where}`);
}

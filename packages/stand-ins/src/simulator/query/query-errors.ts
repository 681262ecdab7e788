// The errors[] entries of a failed query: SQLSTATE-like codes (Data Distiller reports PostgreSQL
// codes, e.g. 53400 for the execution time limit) with a readable message.
import { engineVoice } from './engine-voice.js';
import { QUERY_ERROR_CODES } from './query-error-codes.js';
import type { QueryError } from './query-record.js';

export { QUERY_ERROR_CODES };

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

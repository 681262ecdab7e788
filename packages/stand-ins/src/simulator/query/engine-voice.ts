// DuckDB's error text turned into what Query Service says: a PostgreSQL SQLSTATE, a PostgreSQL-style
// message and, where the engine points at one, the 1-based character position in the statement
// (the ErrorResponse `P` field). Query Service is a PostgreSQL interface and reports PostgreSQL codes
// (its troubleshooting guide, "PostgreSQL API errors": 42601 syntax error, 42P01 table not found,
// 42703/42883 unknown column or function, 0A000 unsupported). DuckDB's own voice — "Catalog Error",
// "Did you mean …", "LINE 1:" carets — never reaches a user.
import { QUERY_ERROR_CODES } from './query-error-codes.js';

export interface EngineVoice {
  code: string;
  message: string;
  /** 1-based character offset into the statement, when known. */
  position?: number;
}

/** The caret DuckDB draws under "LINE n: …" as an offset into `sql`. */
function caretPosition(text: string, sql: string): number | undefined {
  const match = /LINE (\d+): (.*)\n( *)\^/.exec(text);
  if (match === null) return undefined;
  const lineNo = Number(match[1]);
  const shown = match[2] ?? '';
  const caretColumn = (match[3] ?? '').length - `LINE ${lineNo}: `.length;
  const lines = sql.split('\n');
  const line = lines[lineNo - 1];
  if (line === undefined || caretColumn < 0) return undefined;
  const lineStart = lines.slice(0, lineNo - 1).reduce((sum, l) => sum + l.length + 1, 0);
  // DuckDB shows a window of long lines, with "..." where it cut.
  const trimmed = shown.startsWith('...') ? shown.slice(3) : shown;
  const windowStart = line.indexOf(trimmed.endsWith('...') ? trimmed.slice(0, -3) : trimmed);
  if (windowStart < 0) return undefined;
  const column = shown.startsWith('...') ? windowStart + caretColumn - 3 : windowStart + caretColumn;
  return lineStart + column + 1;
}

/** Where a name first appears (case-insensitive, as a whole word) in the statement. */
export function positionOfName(sql: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const index = sql.search(new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, 'i'));
  return index < 0 ? undefined : index + 1;
}

const withPosition = (voice: EngineVoice, position: number | undefined): EngineVoice => (position === undefined ? voice : { ...voice, position });

export function engineVoice(error: unknown, sql: string): EngineVoice {
  const text = error instanceof Error ? error.message : String(error);
  const first = (text.split(/\n/, 1)[0] ?? text).replace(/^Failed to extract statements:\s*/, '').trim();
  const caret = caretPosition(text, sql);

  const syntax = /^Parser Error: (.*)$/i.exec(first);
  if (syntax) {
    const near = /at or near "([^"]*)"/.exec(syntax[1] ?? '');
    const message = near ? `syntax error at or near "${near[1]}"` : /end of input/i.test(syntax[1] ?? '') ? 'syntax error at end of input' : 'syntax error';
    return withPosition({ code: QUERY_ERROR_CODES.syntax, message }, caret ?? (near ? positionOfName(sql, near[1] ?? '') : undefined));
  }
  const table = /^Catalog Error: Table with name (.+?) does not exist/i.exec(first);
  if (table) {
    const name = table[1] ?? '';
    return withPosition({ code: QUERY_ERROR_CODES.undefinedTable, message: `relation "${name}" does not exist` }, caret ?? positionOfName(sql, name));
  }
  const fn = /^Catalog Error: (?:Scalar |Aggregate |Table )?Function with name (.+?) does not exist/i.exec(first);
  if (fn) {
    const name = fn[1] ?? '';
    return withPosition({ code: QUERY_ERROR_CODES.undefinedFunction, message: `function ${name} does not exist` }, caret ?? positionOfName(sql, name));
  }
  const column = /^Binder Error: Referenced column "?(.+?)"? not found/i.exec(first) ?? /^Binder Error: .*column "?([^"\s]+)"? (?:not found|does not exist)/i.exec(first);
  if (column) {
    const name = column[1] ?? '';
    return withPosition({ code: QUERY_ERROR_CODES.undefinedColumn, message: `column "${name}" does not exist` }, caret ?? positionOfName(sql, name));
  }
  // Everything else: the engine's category and hints dropped, the plain statement kept.
  const plain = first.replace(/^[A-Za-z ]+ Error:\s*/, '').replace(/\s*Did you mean .*$/i, '').replace(/!$/, '');
  if (/^(Conversion|Invalid Input|Out of Range) Error/i.test(first)) return withPosition({ code: QUERY_ERROR_CODES.dataException, message: plain }, caret);
  if (/^Binder Error/i.test(first)) return withPosition({ code: QUERY_ERROR_CODES.undefinedColumn, message: plain }, caret);
  if (/^Catalog Error/i.test(first)) return withPosition({ code: QUERY_ERROR_CODES.undefinedTable, message: plain }, caret);
  if (/^Permission Error/i.test(first)) return { code: QUERY_ERROR_CODES.featureNotSupported, message: 'queries can only read datasets' };
  if (/^Out of Memory Error/i.test(first)) return { code: QUERY_ERROR_CODES.programLimit, message: 'the query needs more memory than the limit allows' };
  return withPosition({ code: QUERY_ERROR_CODES.internal, message: plain }, caret);
}

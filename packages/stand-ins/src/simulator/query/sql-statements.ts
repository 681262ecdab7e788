// The Data Distiller SQL subset the simulator accepts (docs/simulator.md, "Query Service"): a
// script is split into statements, each classified as SET (ignored), a query, CREATE TABLE … AS
// SELECT or INSERT INTO … SELECT; everything else is refused with a SqlRejection naming the
// construct, before any data is read.
import { maskSql, splitStatements } from './sql-text.js';

/** A query the simulator refuses; `code` is the SQLSTATE-like code reported in errors[]. */
export class SqlRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const FEATURE_NOT_SUPPORTED = '0A000';
export const SYNTAX_ERROR = '42601';

export type SqlStatement =
  | { kind: 'set' }
  | { kind: 'select'; sql: string }
  | { kind: 'createTableAs'; table: string; ifNotExists: boolean; sql: string }
  | { kind: 'insertInto'; table: string; sql: string };

interface FeatureCheck {
  pattern: RegExp;
  message: (match: string) => string;
}

// Checked on the masked text, so a keyword inside a string literal never triggers them.
const UNSUPPORTED_FEATURES: FeatureCheck[] = [
  {
    pattern: /\$\$/,
    message: () => 'Anonymous blocks ($$ BEGIN … END $$) are not supported by the simulator; submit the statements as separate queries.',
  },
  {
    pattern: /\bSNAPSHOT\s+(BETWEEN|SINCE|AS\s+OF)\b/i,
    message: (m) => `SNAPSHOT clauses (${m.replace(/\s+/g, ' ').toUpperCase()}) are not supported by the simulator: it keeps no snapshot history; read the whole table instead.`,
  },
  {
    pattern: /\b(history_meta|table_exists|sample_meta|snapshot_meta)\s*\(/i,
    message: (m) => `The Data Distiller metadata function ${m.replace(/\s*\($/, '')}() is not supported by the simulator.`,
  },
  {
    pattern: /@[A-Za-z_]\w*/,
    message: (m) => `Session variables (${m}) are not supported by the simulator.`,
  },
];

const STATEMENT_KEYWORD = /^\s*([A-Za-z]+)/;

// Statements SQL engines know but the simulator does not run; any other first word is a typo.
const KNOWN_STATEMENTS = new Set([
  'ALTER', 'ANALYZE', 'ATTACH', 'BEGIN', 'CACHE', 'CALL', 'CHECKPOINT', 'CLOSE', 'COMMIT', 'COPY', 'DEALLOCATE', 'DECLARE',
  'DELETE', 'DESCRIBE', 'DETACH', 'DROP', 'EXECUTE', 'EXPLAIN', 'EXPORT', 'FETCH', 'GRANT', 'IMPORT', 'INSTALL', 'LOAD',
  'MERGE', 'MSCK', 'OPTIMIZE', 'PRAGMA', 'PREPARE', 'REFRESH', 'REVOKE', 'ROLLBACK', 'SHOW', 'SUMMARIZE', 'TRUNCATE',
  'UNCACHE', 'UPDATE', 'USE', 'VACUUM',
]);

/** Splits and classifies a script; throws SqlRejection for anything outside the subset. */
export function parseScript(sql: string): SqlStatement[] {
  const masked = maskSql(sql);
  for (const check of UNSUPPORTED_FEATURES) {
    const match = check.pattern.exec(masked);
    if (match !== null) throw new SqlRejection(FEATURE_NOT_SUPPORTED, check.message(match[0]));
  }
  const statements = splitStatements(sql).map(classifyStatement);
  if (!statements.some((s) => s.kind !== 'set')) throw new SqlRejection(SYNTAX_ERROR, 'The query contains no statement to run.');
  return statements;
}

function classifyStatement(text: string): SqlStatement {
  const cursor = new Cursor(text);
  const keyword = STATEMENT_KEYWORD.exec(cursor.masked)?.[1]?.toUpperCase();
  if (cursor.masked.trimStart().startsWith('(')) return { kind: 'select', sql: text };
  switch (keyword) {
    case 'SELECT':
    case 'WITH':
    case 'VALUES':
      return { kind: 'select', sql: text };
    case 'SET':
    case 'RESET':
      return { kind: 'set' };
    case 'CREATE':
      return parseCreateTableAs(cursor);
    case 'INSERT':
      return parseInsertInto(cursor);
    case undefined:
      throw new SqlRejection(SYNTAX_ERROR, `Syntax error encountered: cannot read a statement at "${text.slice(0, 40)}"`);
    default:
      if (!KNOWN_STATEMENTS.has(keyword)) {
        throw new SqlRejection(SYNTAX_ERROR, `Syntax error encountered: syntax error at or near "${STATEMENT_KEYWORD.exec(text)?.[1] ?? keyword}"`);
      }
      throw new SqlRejection(
        FEATURE_NOT_SUPPORTED,
        `${keyword} statements are not supported by the simulator's Query Service (supported: SELECT, CREATE TABLE … AS SELECT, INSERT INTO … SELECT, SET).`,
      );
  }
}

function parseCreateTableAs(cursor: Cursor): SqlStatement {
  cursor.expectWord('CREATE');
  if (!cursor.word('TABLE')) {
    const what = cursor.peekWord()?.toUpperCase() ?? '…';
    throw new SqlRejection(FEATURE_NOT_SUPPORTED, `CREATE ${what} is not supported by the simulator; the only DDL it runs is CREATE TABLE … AS SELECT.`);
  }
  const ifNotExists = cursor.word('IF');
  if (ifNotExists) {
    cursor.expectWord('NOT');
    cursor.expectWord('EXISTS');
  }
  const table = cursor.tableName();
  // Data Distiller's CTAS options, e.g. WITH (schema='…', label='PROFILE'), have no effect here.
  if (cursor.word('WITH')) cursor.skipParenthesised();
  if (!cursor.word('AS')) {
    throw new SqlRejection(FEATURE_NOT_SUPPORTED, 'CREATE TABLE without AS SELECT is not supported by the simulator; use CREATE TABLE name AS SELECT ….');
  }
  return { kind: 'createTableAs', table, ifNotExists, sql: cursor.requireQuery('CREATE TABLE … AS') };
}

function parseInsertInto(cursor: Cursor): SqlStatement {
  cursor.expectWord('INSERT');
  cursor.expectWord('INTO');
  const table = cursor.tableName();
  if (cursor.peekChar() === '(' && !/^\(\s*(SELECT|WITH)\b/i.test(cursor.restMasked())) {
    throw new SqlRejection(FEATURE_NOT_SUPPORTED, 'INSERT INTO with a column list is not supported by the simulator; select the columns in the target order instead.');
  }
  return { kind: 'insertInto', table, sql: cursor.requireQuery('INSERT INTO') };
}

/** A forward-only reader over one statement: keywords are matched on the masked text. */
class Cursor {
  readonly masked: string;
  private at = 0;

  constructor(readonly text: string) {
    this.masked = maskSql(text);
  }

  private skipSpace(): void {
    while (this.at < this.masked.length && /\s/.test(this.masked[this.at] ?? '')) this.at++;
  }

  peekChar(): string | undefined {
    this.skipSpace();
    return this.masked[this.at];
  }

  peekWord(): string | undefined {
    this.skipSpace();
    return /^[A-Za-z_]\w*/.exec(this.masked.slice(this.at))?.[0];
  }

  restMasked(): string {
    this.skipSpace();
    return this.masked.slice(this.at);
  }

  /** Consumes `keyword` (case-insensitive, whole word) when it comes next. */
  word(keyword: string): boolean {
    const next = this.peekWord();
    if (next?.toUpperCase() !== keyword) return false;
    this.at += next.length;
    return true;
  }

  expectWord(keyword: string): void {
    if (!this.word(keyword)) throw new SqlRejection(SYNTAX_ERROR, `Syntax error: expected ${keyword} near "${this.text.slice(this.at, this.at + 30)}"`);
  }

  /** A table name: bare, "double-quoted" or `back-quoted`; qualified names are refused. */
  tableName(): string {
    this.skipSpace();
    const rest = this.text.slice(this.at);
    const match = /^("(?:[^"]|"")+"|`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (match === null) throw new SqlRejection(SYNTAX_ERROR, `Syntax error: expected a table name near "${rest.slice(0, 30)}"`);
    const raw = match[0];
    this.at += raw.length;
    if (this.masked[this.at] === '.') {
      throw new SqlRejection(FEATURE_NOT_SUPPORTED, 'Qualified table names (database.schema.table) are not supported by the simulator; use the table name alone.');
    }
    if (raw.startsWith('"')) return raw.slice(1, -1).replaceAll('""', '"');
    if (raw.startsWith('`')) return raw.slice(1, -1);
    return raw;
  }

  skipParenthesised(): void {
    this.skipSpace();
    if (this.masked[this.at] !== '(') throw new SqlRejection(SYNTAX_ERROR, 'Syntax error: expected ( after WITH');
    let depth = 0;
    for (; this.at < this.masked.length; this.at++) {
      if (this.masked[this.at] === '(') depth++;
      else if (this.masked[this.at] === ')' && --depth === 0) {
        this.at++;
        return;
      }
    }
    throw new SqlRejection(SYNTAX_ERROR, 'Syntax error: unbalanced parentheses in WITH (…)');
  }

  /** The rest of the statement, which must be a query (SELECT, WITH, VALUES or parenthesised). */
  requireQuery(what: string): string {
    const rest = this.restMasked();
    if (!/^(\(|SELECT\b|WITH\b|VALUES\b)/i.test(rest)) {
      // A typo of the query's first word (SELEC) reads as what it is, like any other syntax error.
      const word = /^[A-Za-z_]\w*/.exec(rest.trimStart())?.[0];
      if (word !== undefined) throw new SqlRejection(SYNTAX_ERROR, `Syntax error encountered: syntax error at or near "${word}"`);
      throw new SqlRejection(SYNTAX_ERROR, `Syntax error: ${what} must be followed by a SELECT query`);
    }
    return this.text.slice(this.at).trim();
  }
}

// The SQL a preview may run: one read-only query (SELECT, WITH … SELECT, VALUES or a parenthesised
// query), bounded to previewLimit rows (plus one, to tell a cut result from a complete one). The
// check is lexical, like sql-sources.ts: anything that is not a query by its first word is
// refused here; typos (SELEC) go through so Query Service answers with its syntax error and position.
export const previewLimit = 100;

/** Statements that change data or settings: never previewed. */
const NON_QUERY_STATEMENTS = new Set([
  'ALTER', 'ANALYZE', 'BEGIN', 'CALL', 'COMMIT', 'COPY', 'CREATE', 'DEALLOCATE', 'DELETE', 'DROP', 'EXECUTE', 'GRANT',
  'INSERT', 'MERGE', 'PREPARE', 'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'TRUNCATE', 'UPDATE', 'VACUUM', 'DECLARE', 'DO',
]);

/** The SQL with comments and literals blanked (same length), so keywords inside them never count. */
function masked(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, (m) => ' '.repeat(m.length))
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/'(?:[^']|'')*'/g, (m) => `'${' '.repeat(m.length - 2)}'`)
    .replace(/"(?:[^"]|"")*"/g, (m) => `"${' '.repeat(m.length - 2)}"`);
}

export type PreviewSql =
  | { ok: true; sql: string; /** Characters added before the user's SQL (to map error positions back). */ offset: number; userLength: number }
  | { ok: false; message: string };

export function previewSqlOf(input: string): PreviewSql {
  const sql = input.trim().replace(/;+\s*$/, '').trimEnd();
  const mask = masked(sql);
  if (mask.trim() === '') return { ok: false, message: 'is empty' };
  if (mask.includes(';')) return { ok: false, message: 'must be one statement (no ";" between statements)' };
  const first = /^\s*([A-Za-z]+)/.exec(mask)?.[1]?.toUpperCase();
  if (first !== undefined && NON_QUERY_STATEMENTS.has(first)) {
    return { ok: false, message: `must be a query (SELECT …); ${first} statements are not previewed` };
  }
  // A query ending in its own LIMIT/OFFSET is wrapped, so the bound holds whatever it asks; any
  // other gets the LIMIT appended, which keeps its ORDER BY meaningful.
  if (/\b(limit|offset|fetch)\b/i.test(mask.slice(mask.lastIndexOf(')') + 1))) {
    const prefix = 'SELECT * FROM (\n';
    return { ok: true, sql: `${prefix}${sql}\n) AS preview LIMIT ${previewLimit + 1}`, offset: prefix.length, userLength: sql.length };
  }
  return { ok: true, sql: `${sql}\nLIMIT ${previewLimit + 1}`, offset: 0, userLength: sql.length };
}

/** A Query Service error position (1-based, in the SQL run) as a position in the user's SQL. */
export function userPosition(preview: { offset: number; userLength: number }, position: number | undefined): number | null {
  if (position === undefined || !Number.isFinite(position)) return null;
  const mapped = position - preview.offset;
  return mapped >= 1 && mapped <= preview.userLength + 1 ? mapped : null;
}

// Turns an accepted Data Distiller query into DuckDB SQL. Spark's back-quoted identifiers become
// double-quoted; the Adobe-defined window functions TIME_BETWEEN_PREVIOUS_MATCH and
// TIME_BETWEEN_NEXT_MATCH are rewritten into plain window aggregates over the same OVER clause:
//   TIME_BETWEEN_PREVIOUS_MATCH(ts, cond, 'minutes') OVER w
//   → (epoch_ms(ts) - epoch_ms(max(CASE WHEN cond THEN ts END) OVER w)) / 60000
// i.e. the time since the latest row of the window frame (current row included) matching cond,
// NULL when there is none. randn()/rand() are macros installed in every session (duckdb-session.ts).
import { FEATURE_NOT_SUPPORTED, SqlRejection, SYNTAX_ERROR } from './sql-statements.js';
import { closingParen, maskSql, topLevelSpans } from './sql-text.js';

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  milliseconds: 1,
  second: 1000,
  seconds: 1000,
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

const MATCH_FUNCTION = /\bTIME_BETWEEN_(PREVIOUS|NEXT)_MATCH\s*\(/gi;

export function toDuckDbSql(sql: string): string {
  let text = replaceBackQuotes(sql);
  // One call per pass, last first, so nested calls and offsets stay consistent.
  for (let pass = 0; pass < 200; pass++) {
    const rewritten = rewriteLastMatchCall(text);
    if (rewritten === null) return text;
    text = rewritten;
  }
  throw new SqlRejection(FEATURE_NOT_SUPPORTED, 'Too many TIME_BETWEEN_*_MATCH calls in one statement.');
}

function replaceBackQuotes(sql: string): string {
  const masked = maskSql(sql);
  let out = '';
  for (let i = 0; i < sql.length; i++) out += masked[i] === '`' ? '"' : (sql[i] ?? '');
  return out;
}

function rewriteLastMatchCall(sql: string): string | null {
  const masked = maskSql(sql);
  const matches = [...masked.matchAll(MATCH_FUNCTION)];
  const last = matches.at(-1);
  if (last === undefined) return null;
  const direction = (last[1] ?? '').toUpperCase() === 'NEXT' ? 'next' : 'previous';
  const name = `TIME_BETWEEN_${direction.toUpperCase()}_MATCH`;
  const open = last.index + last[0].length - 1;
  const close = closingParen(masked, open);
  if (close < 0) throw new SqlRejection(SYNTAX_ERROR, `Syntax error: unbalanced parentheses in ${name}`);
  const args = topLevelSpans(masked, open + 1, close).map(([from, to]) => sql.slice(from, to).trim());
  if (args.length !== 3) throw new SqlRejection(SYNTAX_ERROR, `${name} takes 3 arguments (timestamp, condition, 'unit'), got ${args.length}`);
  const [timestamp, condition, unitLiteral] = args as [string, string, string];
  const unit = /^'([A-Za-z]+)'$/.exec(unitLiteral)?.[1]?.toLowerCase();
  const unitMs = unit === undefined ? undefined : UNIT_MS[unit];
  if (unitMs === undefined) throw new SqlRejection(SYNTAX_ERROR, `${name}: unsupported time unit ${unitLiteral} (use 'seconds', 'minutes', 'hours' or 'days')`);

  const window = overClause(sql, masked, close + 1, name);
  const matchTime = `epoch_ms(${direction === 'previous' ? 'max' : 'min'}(CASE WHEN (${condition}) THEN ${timestamp} END) OVER ${window.text})`;
  const difference = direction === 'previous' ? `epoch_ms(${timestamp}) - ${matchTime}` : `${matchTime} - epoch_ms(${timestamp})`;
  const replacement = `(CAST(${difference} AS DOUBLE) / ${unitMs})`;
  return sql.slice(0, last.index) + replacement + sql.slice(window.end);
}

/** The OVER clause after a call: `OVER (…)` or `OVER name`; returns its text (without OVER) and end. */
function overClause(sql: string, masked: string, from: number, name: string): { text: string; end: number } {
  const match = /^\s*OVER\b\s*/i.exec(masked.slice(from));
  if (match === null) throw new SqlRejection(SYNTAX_ERROR, `${name} must be used as a window function: ${name}(…) OVER (PARTITION BY … ORDER BY …)`);
  const start = from + match[0].length;
  if (masked[start] === '(') {
    const end = closingParen(masked, start);
    if (end < 0) throw new SqlRejection(SYNTAX_ERROR, `Syntax error: unbalanced parentheses in the OVER clause of ${name}`);
    return { text: sql.slice(start, end + 1), end: end + 1 };
  }
  const named = /^[A-Za-z_]\w*/.exec(masked.slice(start));
  if (named === null) throw new SqlRejection(SYNTAX_ERROR, `Syntax error: expected a window after OVER in ${name}`);
  return { text: named[0], end: start + named[0].length };
}

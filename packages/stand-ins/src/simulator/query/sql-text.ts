// Lexical helpers over SQL text. `maskSql` blanks the inside of string literals, quoted
// identifiers and comments (same length, same offsets), so keyword checks and the statement
// splitter never match inside a string; positions found on the mask index the original text.

/** The SQL with literal, quoted-identifier and comment contents replaced by spaces. */
export function maskSql(sql: string): string {
  const out = sql.split('');
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      blank(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      // Quotes are doubled to escape them inside a literal or identifier.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else {
          j++;
        }
      }
      blank(i + 1, Math.min(j, sql.length));
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** The statements of a script (split on top-level semicolons), trimmed, empty ones dropped. */
export function splitStatements(sql: string): string[] {
  const masked = maskSql(sql);
  const statements: string[] = [];
  let start = 0;
  for (let i = 0; i <= masked.length; i++) {
    if (i === masked.length || masked[i] === ';') {
      const text = sql.slice(start, i).trim();
      if (maskSql(text).trim() !== '') statements.push(text);
      start = i + 1;
    }
  }
  return statements;
}

/** Index of the parenthesis closing the one at `open` (on masked text), or -1. */
export function closingParen(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === '(') depth++;
    else if (masked[i] === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits the text between `from` and `to` (exclusive) on top-level commas; returns [start, end) spans. */
export function topLevelSpans(masked: string, from: number, to: number): [number, number][] {
  const spans: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const ch = masked[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      spans.push([start, i]);
      start = i + 1;
    }
  }
  spans.push([start, to]);
  return spans;
}

/** Double-quotes an identifier for DuckDB. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

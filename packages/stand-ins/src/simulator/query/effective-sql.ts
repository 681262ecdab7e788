// The SQL a query actually runs (`effectiveSQL`): `$key` placeholders filled from
// queryParameters (plain text substitution, as the service documents), and ctasParameters /
// insertIntoParameters turning the last statement into CREATE TABLE … AS / INSERT INTO.
import type { QueryDefinition } from './query-record.js';
import { maskSql, quoteIdentifier, splitStatements } from './sql-text.js';

function fillParameters(sql: string, parameters: Record<string, string> | undefined): string {
  if (parameters === undefined) return sql;
  // Longest keys first, so $key1 is not read as $key followed by "1".
  const keys = Object.keys(parameters).sort((a, b) => b.length - a.length);
  return keys.reduce((text, key) => text.replace(new RegExp(`\\$${key.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'g'), () => parameters[key] ?? ''), sql);
}

function tableReference(datasetName: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(datasetName) ? datasetName : quoteIdentifier(datasetName);
}

/** Wraps the last non-SET statement of the script with `prefix`. */
function wrapLastStatement(sql: string, wrap: (statement: string) => string): string {
  const statements = splitStatements(sql);
  const lastQuery = statements.findLastIndex((s) => !/^\s*(SET|RESET)\b/i.test(maskSql(s)));
  if (lastQuery < 0) return sql;
  return statements.map((s, index) => (index === lastQuery ? wrap(s) : s)).join(';\n');
}

export function buildEffectiveSql(request: QueryDefinition): string {
  const sql = fillParameters(request.sql ?? '', request.queryParameters);
  if (request.ctasParameters !== undefined) {
    const table = tableReference(request.ctasParameters.datasetName);
    return wrapLastStatement(sql, (statement) => `CREATE TABLE ${table} AS ${statement}`);
  }
  if (request.insertIntoParameters !== undefined) {
    const table = tableReference(request.insertIntoParameters.datasetName);
    return wrapLastStatement(sql, (statement) => `INSERT INTO ${table} ${statement}`);
  }
  return sql;
}

export function looksLikeCtas(sql: string): boolean {
  return splitStatements(sql).some((s) => /^\s*CREATE\s+TABLE\b/i.test(maskSql(s)));
}

export function looksLikeInsertInto(sql: string): boolean {
  return splitStatements(sql).some((s) => /^\s*INSERT\s+INTO\b/i.test(maskSql(s)));
}

// A candidate fix for deep list pages, tried on the database only (src/ is not changed by a
// benchmark): the keyset condition Prisma writes, `created_at < $c OR (created_at = $c AND id < $i)`,
// is an OR that a B-tree cannot use as a range, so Postgres walks the index from the newest row and
// filters. Adding the implied `created_at <= $c` gives it a range start. This file derives that
// statement from the captured one and times both, straight against Postgres.
import type pg from 'pg';
import { summarize, type LatencySummary } from './lib/stats.js';
import { explain, type CapturedQuery, type ExplainedQuery } from './read-path-plans.js';

const keysetOr = /\("public"\."exports"\."created_at" < (\$\d+) OR/;

/** The statement with `created_at <= <same parameter>` ANDed in front of the keyset OR, or null. */
export function withCreatedAtBound(query: CapturedQuery): CapturedQuery | null {
  const match = keysetOr.exec(query.sql);
  if (!match) return null;
  const parameter = match[1] as string;
  return { sql: query.sql.replace(keysetOr, `"public"."exports"."created_at" <= ${parameter} AND ("public"."exports"."created_at" < ${parameter} OR`), params: query.params };
}

/** Runs the statement `count` times in a row and summarizes the round-trip times. */
export async function timeStatement(pool: pg.Pool, query: CapturedQuery, count: number): Promise<LatencySummary> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await pool.query(query.sql, query.params);
    latencies.push(performance.now() - started);
  }
  return summarize(latencies);
}

/** Whether both statements return the same rows in the same order (the bound must change nothing). */
export async function sameRows(pool: pg.Pool, a: CapturedQuery, b: CapturedQuery): Promise<boolean> {
  const [ra, rb] = await Promise.all([pool.query<{ id: string }>(a.sql, a.params), pool.query<{ id: string }>(b.sql, b.params)]);
  return ra.rows.length > 0 && JSON.stringify(ra.rows.map((r) => r.id)) === JSON.stringify(rb.rows.map((r) => r.id));
}

export interface KeysetBoundComparison {
  query: string;
  sameRows: boolean;
  original: { plan: ExplainedQuery; latency: LatencySummary };
  bounded: { plan: ExplainedQuery; latency: LatencySummary };
}

/** Plans and timings of `original` and its bounded form; null when the statement has no keyset OR. */
export async function compareKeysetBound(pool: pg.Pool, name: string, original: CapturedQuery, repeats: number): Promise<KeysetBoundComparison | null> {
  const bounded = withCreatedAtBound(original);
  if (!bounded) return null;
  return {
    query: name,
    sameRows: await sameRows(pool, original, bounded),
    original: { plan: await explain(pool, original), latency: await timeStatement(pool, original, repeats) },
    bounded: { plan: await explain(pool, bounded), latency: await timeStatement(pool, bounded, repeats) },
  };
}

// Queries in Postgres. Every state change is one conditional UPDATE naming the expected current
// state (and, for a worker's own query, its owner), so a kill, a finish and a restart sweep can
// race without one overwriting another.
import type pg from 'pg';
import type { Tenancy } from '../context.js';
import { quoteIdent } from '../../common/sql-ident.js';
import type { QueryRecord, QueryState } from './query-record.js';

interface Row {
  record: QueryRecord;
  state: QueryState;
}

function toRecord(row: Row): QueryRecord {
  return { ...row.record, state: row.state };
}

export type QueryFilter =
  | { field: 'state' | 'id' | 'client' | 'userId'; op: '==' | '!='; value: string }
  | { field: 'created' | 'updated'; op: '==' | '!=' | '>' | '<' | '>=' | '<='; valueMs: number }
  | { field: 'sql'; op: '~'; value: string }
  | { field: 'referenced_datasets'; op: '=='; values: string[] };

export interface QueryListOptions {
  filters: QueryFilter[];
  descending: boolean;
  limit: number;
  /** Only queries created strictly after (ascending) or before (descending) this time. */
  startMs?: number;
  excludeSoftDeleted: boolean;
}

export type CancelResult = 'killed' | 'terminal' | 'not_found';

export class QueryStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.queries`;
  }

  async insert(record: QueryRecord, runAfterMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (org, sandbox, id, state, run_after_ms, created_ms, record) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [record.orgId, record.sandbox, record.id, record.state, runAfterMs, record.createdMs, JSON.stringify(record)],
    );
  }

  async get(t: Tenancy, id: string): Promise<QueryRecord | null> {
    const { rows } = await this.pool.query<Row>(`SELECT record, state FROM ${this.table} WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }

  async list(t: Tenancy, options: QueryListOptions): Promise<QueryRecord[]> {
    const params: unknown[] = [t.orgId, t.sandbox];
    const where = ['org = $1', 'sandbox = $2'];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (options.excludeSoftDeleted) where.push('NOT soft_deleted');
    for (const filter of options.filters) {
      switch (filter.field) {
        case 'state':
        case 'id':
          where.push(`${filter.field} ${filter.op === '==' ? '=' : '<>'} ${bind(filter.value)}`);
          break;
        case 'client':
        case 'userId':
          where.push(`(record->>'${filter.field}') ${filter.op === '==' ? '=' : 'IS DISTINCT FROM'} ${bind(filter.value)}`);
          break;
        case 'created':
        case 'updated': {
          const column = filter.field === 'created' ? 'created_ms' : `(record->>'updatedMs')::bigint`;
          const op = filter.op === '==' ? '=' : filter.op === '!=' ? '<>' : filter.op;
          where.push(`${column} ${op} ${bind(filter.valueMs)}`);
          break;
        }
        case 'sql':
          where.push(`strpos(lower(record->>'effectiveSql'), lower(${bind(filter.value)})) > 0`);
          break;
        case 'referenced_datasets':
          where.push(`(record->'referencedDatasetIds') ?| ${bind(filter.values)}::text[]`);
          break;
      }
    }
    if (options.startMs !== undefined) where.push(`created_ms ${options.descending ? '<' : '>'} ${bind(options.startMs)}`);
    const order = options.descending ? 'DESC' : 'ASC';
    const { rows } = await this.pool.query<Row>(
      `SELECT record, state FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY created_ms ${order}, seq ${order} LIMIT ${bind(options.limit)}`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * Moves due SUBMITTED queries to IN_PROGRESS for `owner` (skipping rows another worker holds).
   * `nowMs` is simulated time (due times, startedMs); heartbeats are wall-clock (`wallMs`).
   */
  async claimDue(nowMs: number, wallMs: number, owner: string, limit: number): Promise<QueryRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE ${this.table} q SET state = 'IN_PROGRESS', owner = $2, heartbeat_ms = $4,
         record = q.record || jsonb_build_object('startedMs', $1::bigint, 'updatedMs', $1::bigint)
       WHERE q.seq IN (
         SELECT seq FROM ${this.table} WHERE state = 'SUBMITTED' AND run_after_ms <= $1 ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED
       ) AND q.state = 'SUBMITTED'
       RETURNING q.record, q.state`,
      [nowMs, owner, limit, wallMs],
    );
    return rows.map(toRecord);
  }

  /** Refreshes the heartbeat of `owner`'s running queries; returns the ids no longer IN_PROGRESS for it. */
  async heartbeat(ids: string[], owner: string, nowMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE ${this.table} SET heartbeat_ms = $3 WHERE id = ANY($1::text[]) AND owner = $2 AND state = 'IN_PROGRESS' RETURNING id`,
      [ids, owner, nowMs],
    );
    const alive = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !alive.has(id));
  }

  /** Writes a terminal state for `owner`'s running query; false when it was killed or swept meanwhile. */
  async finish(record: QueryRecord, owner: string, state: QueryState, patch: Partial<QueryRecord>): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET state = $5, heartbeat_ms = NULL, record = record || $6::jsonb
       WHERE org = $1 AND sandbox = $2 AND id = $3 AND owner = $4 AND state = 'IN_PROGRESS'`,
      [record.orgId, record.sandbox, record.id, owner, state, JSON.stringify({ ...patch, state })],
    );
    return (result.rowCount ?? 0) === 1;
  }

  /** Puts `owner`'s running query back to SUBMITTED (graceful shutdown), so the next worker resumes it. */
  async requeue(record: QueryRecord, owner: string, nowMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET state = 'SUBMITTED', owner = NULL, heartbeat_ms = NULL, run_after_ms = $5,
         record = record || jsonb_build_object('startedMs', NULL, 'updatedMs', $5::bigint)
       WHERE org = $1 AND sandbox = $2 AND id = $3 AND owner = $4 AND state = 'IN_PROGRESS'`,
      [record.orgId, record.sandbox, record.id, owner, nowMs],
    );
  }

  /** SUBMITTED or IN_PROGRESS → KILLED. */
  async cancel(t: Tenancy, id: string, nowMs: number, patch: Partial<QueryRecord>): Promise<CancelResult> {
    const { rows } = await this.pool.query<{ state: QueryState; killed: boolean }>(
      `WITH target AS (SELECT seq, state FROM ${this.table} WHERE org = $1 AND sandbox = $2 AND id = $3 FOR UPDATE),
       killed AS (
         UPDATE ${this.table} q SET state = 'KILLED', heartbeat_ms = NULL,
           record = q.record || $5::jsonb || jsonb_build_object('state', 'KILLED', 'updatedMs', $4::bigint, 'endedMs', $4::bigint)
         FROM target WHERE q.seq = target.seq AND target.state IN ('SUBMITTED', 'IN_PROGRESS') RETURNING q.seq
       )
       SELECT target.state, EXISTS (SELECT 1 FROM killed) AS killed FROM target`,
      [t.orgId, t.sandbox, id, nowMs, JSON.stringify(patch)],
    );
    const row = rows[0];
    if (row === undefined) return 'not_found';
    return row.killed ? 'killed' : 'terminal';
  }

  async softDelete(t: Tenancy, id: string, nowMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET soft_deleted = true, record = record || jsonb_build_object('softDeleted', true, 'updatedMs', $4::bigint)
       WHERE org = $1 AND sandbox = $2 AND id = $3`,
      [t.orgId, t.sandbox, id, nowMs],
    );
    return (result.rowCount ?? 0) === 1;
  }

  /** IN_PROGRESS queries whose worker stopped heart-beating end FAILED (the process died). */
  async failStale(nowMs: number, staleBeforeMs: number, patch: Partial<QueryRecord>): Promise<number> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET state = 'FAILED', heartbeat_ms = NULL,
         record = record || $3::jsonb || jsonb_build_object('state', 'FAILED', 'updatedMs', $1::bigint, 'endedMs', $1::bigint)
       WHERE state = 'IN_PROGRESS' AND heartbeat_ms < $2`,
      [nowMs, staleBeforeMs, JSON.stringify(patch)],
    );
    return result.rowCount ?? 0;
  }
}

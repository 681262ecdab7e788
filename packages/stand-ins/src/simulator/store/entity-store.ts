// EntityStore on Postgres: one `entities` table keyed by (org, sandbox, kind, id), bodies in
// jsonb. Every call is a single indexed statement (updates: one row-locking transaction).
import type pg from 'pg';
import type { EntityKind, EntityStore, ListPage, ListQuery, PropertyFilter, StoredEntity, Tenancy, UpdateResult } from '../context.js';
import { decodeContinuation, encodeContinuation } from './continuation.js';
import { quoteIdent } from '../../common/sql-ident.js';
import { filtersToSql, InvalidFilterError } from './filter-sql.js';
import { newEntityId, newEtag } from './identifiers.js';

interface EntityRow {
  id: string;
  kind: EntityKind;
  body: unknown;
  etag: string;
  seq: string;
}

function toEntity<Body>(row: EntityRow): StoredEntity<Body> {
  return { id: row.id, kind: row.kind, body: row.body as Body, etag: row.etag, seq: Number(row.seq) };
}

function nameOf(body: unknown): string | null {
  return typeof body === 'object' && body !== null && 'name' in body && typeof body.name === 'string' ? body.name : null;
}

export class PgEntityStore implements EntityStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.entities`;
  }

  async create<Body>(t: Tenancy, kind: EntityKind, build: (id: string, etag: string) => Body, name?: string): Promise<StoredEntity<Body>> {
    const id = newEntityId();
    const etag = newEtag();
    const body = build(id, etag);
    const { rows } = await this.pool.query<EntityRow>(
      `INSERT INTO ${this.table} (org, sandbox, kind, id, name, body, etag)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, kind, body, etag, seq`,
      [t.orgId, t.sandbox, kind, id, name ?? nameOf(body), JSON.stringify(body), etag],
    );
    return toEntity<Body>(rows[0] as EntityRow);
  }

  async createWithLimit<Body>(
    t: Tenancy,
    kind: EntityKind,
    limit: { filters: PropertyFilter[]; max: number },
    build: (id: string, etag: string) => Body,
    name?: string,
  ): Promise<StoredEntity<Body> | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.table}|${t.orgId}|${t.sandbox}|${kind}`]);
      const params: unknown[] = [t.orgId, t.sandbox, kind];
      const conditions = ['org = $1', 'sandbox = $2', 'kind = $3'];
      filtersToSql(limit.filters, conditions, params);
      const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE ${conditions.join(' AND ')}`, params);
      if (Number(counted.rows[0]?.n ?? 0) >= limit.max) {
        await client.query('ROLLBACK');
        return null;
      }
      const id = newEntityId();
      const etag = newEtag();
      const body = build(id, etag);
      const { rows } = await client.query<EntityRow>(
        `INSERT INTO ${this.table} (org, sandbox, kind, id, name, body, etag)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, kind, body, etag, seq`,
        [t.orgId, t.sandbox, kind, id, name ?? nameOf(body), JSON.stringify(body), etag],
      );
      await client.query('COMMIT');
      return toEntity<Body>(rows[0] as EntityRow);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async get<Body>(t: Tenancy, kind: EntityKind, id: string): Promise<StoredEntity<Body> | null> {
    const { rows } = await this.pool.query<EntityRow>(
      `SELECT id, kind, body, etag, seq FROM ${this.table} WHERE org = $1 AND sandbox = $2 AND kind = $3 AND id = $4`,
      [t.orgId, t.sandbox, kind, id],
    );
    const row = rows[0];
    return row === undefined ? null : toEntity<Body>(row);
  }

  async list<Body>(t: Tenancy, kind: EntityKind, query: ListQuery): Promise<ListPage<Body>> {
    const params: unknown[] = [t.orgId, t.sandbox, kind];
    const conditions = ['org = $1', 'sandbox = $2', 'kind = $3'];
    filtersToSql(query.filters, conditions, params);
    const descending = query.orderBy === '-createdAt';
    if (query.continuationToken !== undefined) {
      const after = decodeContinuation(query.continuationToken);
      if (after === null) throw new InvalidFilterError('invalid continuationToken');
      params.push(after);
      conditions.push(`seq ${descending ? '<' : '>'} $${params.length}`);
    }
    // One extra row tells whether another page exists.
    params.push(query.limit + 1);
    const { rows } = await this.pool.query<EntityRow>(
      `SELECT id, kind, body, etag, seq FROM ${this.table} WHERE ${conditions.join(' AND ')}
       ORDER BY seq ${descending ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, query.limit).map((row) => toEntity<Body>(row));
    const last = items.at(-1);
    return rows.length > query.limit && last !== undefined ? { items, continuationToken: encodeContinuation(last.seq) } : { items };
  }

  async count(t: Tenancy, kind: EntityKind, filters: PropertyFilter[]): Promise<number> {
    const params: unknown[] = [t.orgId, t.sandbox, kind];
    const conditions = ['org = $1', 'sandbox = $2', 'kind = $3'];
    filtersToSql(filters, conditions, params);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.table} WHERE ${conditions.join(' AND ')}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async update<Body>(
    t: Tenancy,
    kind: EntityKind,
    id: string,
    mutate: (body: Body, newEtag: string) => Body,
    expectedEtag?: string,
  ): Promise<UpdateResult<Body>> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<EntityRow>(
        `SELECT id, kind, body, etag, seq FROM ${this.table}
         WHERE org = $1 AND sandbox = $2 AND kind = $3 AND id = $4 FOR UPDATE`,
        [t.orgId, t.sandbox, kind, id],
      );
      const row = rows[0];
      if (row === undefined) {
        await client.query('ROLLBACK');
        return { outcome: 'not_found' };
      }
      const current = toEntity<Body>(row);
      if (expectedEtag !== undefined && expectedEtag !== current.etag) {
        await client.query('ROLLBACK');
        return { outcome: 'etag_mismatch', current };
      }
      const etag = newEtag();
      const body = mutate(current.body, etag);
      const updated = await client.query<EntityRow>(
        `UPDATE ${this.table} SET body = $5, etag = $6, name = $7
         WHERE org = $1 AND sandbox = $2 AND kind = $3 AND id = $4 RETURNING id, kind, body, etag, seq`,
        [t.orgId, t.sandbox, kind, id, JSON.stringify(body), etag, nameOf(body)],
      );
      await client.query('COMMIT');
      return { outcome: 'updated', entity: toEntity<Body>(updated.rows[0] as EntityRow) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async delete(t: Tenancy, kind: EntityKind, id: string): Promise<boolean> {
    const result = await this.pool.query(
      `DELETE FROM ${this.table} WHERE org = $1 AND sandbox = $2 AND kind = $3 AND id = $4`,
      [t.orgId, t.sandbox, kind, id],
    );
    return (result.rowCount ?? 0) > 0;
  }
}

// Tenant XDM resources and descriptors in Postgres, per (org, sandbox). Resources are found by
// `$id` or `meta:altId`, as the Schema Registry's paths accept either.
import type pg from 'pg';
import type { Tenancy } from '../context.js';
import { quoteIdent } from '../../common/sql-ident.js';

export type XdmKind = 'fieldgroups' | 'schemas';
export type XdmBody = Record<string, unknown>;

export interface XdmResource {
  kind: XdmKind;
  id: string;
  altId: string;
  body: XdmBody;
}

export class RegistryStore {
  private readonly resources: string;
  private readonly descriptors: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.resources = `${s}.xdm_resources`;
    this.descriptors = `${s}.xdm_descriptors`;
  }

  async insertResource(t: Tenancy, resource: XdmResource): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.resources} (org, sandbox, kind, id, alt_id, body) VALUES ($1, $2, $3, $4, $5, $6)`, [
      t.orgId,
      t.sandbox,
      resource.kind,
      resource.id,
      resource.altId,
      JSON.stringify(resource.body),
    ]);
  }

  /** A resource of `kind` by `$id` or `meta:altId`; with kind undefined, of any kind. */
  async getResource(t: Tenancy, idOrAltId: string, kind?: XdmKind): Promise<XdmResource | null> {
    const { rows } = await this.pool.query<{ kind: XdmKind; id: string; alt_id: string; body: XdmBody }>(
      `SELECT kind, id, alt_id, body FROM ${this.resources}
       WHERE org = $1 AND sandbox = $2 AND (id = $3 OR alt_id = $3) AND ($4::text IS NULL OR kind = $4)`,
      [t.orgId, t.sandbox, idOrAltId, kind ?? null],
    );
    const row = rows[0];
    return row === undefined ? null : { kind: row.kind, id: row.id, altId: row.alt_id, body: row.body };
  }

  /** Every resource of a kind, oldest first (listing sorts and pages in memory: the sandbox's resources are few). */
  async listResources(t: Tenancy, kind: XdmKind): Promise<XdmResource[]> {
    const { rows } = await this.pool.query<{ id: string; alt_id: string; body: XdmBody }>(
      `SELECT id, alt_id, body FROM ${this.resources} WHERE org = $1 AND sandbox = $2 AND kind = $3 ORDER BY seq`,
      [t.orgId, t.sandbox, kind],
    );
    return rows.map((row) => ({ kind, id: row.id, altId: row.alt_id, body: row.body }));
  }

  async replaceBody(t: Tenancy, id: string, body: XdmBody): Promise<void> {
    await this.pool.query(`UPDATE ${this.resources} SET body = $4 WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id, JSON.stringify(body)]);
  }

  async countByKind(t: Tenancy): Promise<Record<XdmKind, number>> {
    const { rows } = await this.pool.query<{ kind: XdmKind; n: string }>(
      `SELECT kind, count(*) AS n FROM ${this.resources} WHERE org = $1 AND sandbox = $2 GROUP BY kind`,
      [t.orgId, t.sandbox],
    );
    const counts: Record<XdmKind, number> = { fieldgroups: 0, schemas: 0 };
    for (const row of rows) counts[row.kind] = Number(row.n);
    return counts;
  }

  async insertDescriptor(t: Tenancy, id: string, sourceSchema: string, body: XdmBody): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.descriptors} (org, sandbox, id, source_schema, body) VALUES ($1, $2, $3, $4, $5)`, [
      t.orgId,
      t.sandbox,
      id,
      sourceSchema,
      JSON.stringify(body),
    ]);
  }

  async getDescriptor(t: Tenancy, id: string): Promise<XdmBody | null> {
    const { rows } = await this.pool.query<{ body: XdmBody }>(`SELECT body FROM ${this.descriptors} WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
    return rows[0]?.body ?? null;
  }

  async descriptorsOf(t: Tenancy, schemaId: string): Promise<XdmBody[]> {
    const { rows } = await this.pool.query<{ body: XdmBody }>(
      `SELECT body FROM ${this.descriptors} WHERE org = $1 AND sandbox = $2 AND source_schema = $3 ORDER BY seq`,
      [t.orgId, t.sandbox, schemaId],
    );
    return rows.map((r) => r.body);
  }
}

const stores = new WeakMap<pg.Pool, RegistryStore>();

/** The registry store of a simulator instance (keyed by its pool). */
export function registryStoreFor(ctx: { pool: pg.Pool; schema: string }): RegistryStore {
  let store = stores.get(ctx.pool);
  if (store === undefined) {
    store = new RegistryStore(ctx.pool, ctx.schema);
    stores.set(ctx.pool, store);
  }
  return store;
}

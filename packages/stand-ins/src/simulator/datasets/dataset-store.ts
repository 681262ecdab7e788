// The simulated data lake on Postgres: datasets, their labels and rows, per (org, sandbox). A
// sandbox is seeded with the synthetic datasets on first access (once, even under concurrent
// first calls from several simulator processes). Other simulator modules (exports, and later CTAS
// datasets and batch ingestion) use this API rather than the tables.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SimulatorContext, Tenancy } from '../context.js';
import { quoteIdent } from '../../common/sql-ident.js';
import { compactRow, inferFields, type Field, type Row } from './fields.js';
import { datasetRandom, generateSeededDatasets, generateSyntheticRows, type DatasetLabels, type SchemaRef, type SyntheticKind } from './synthetic.js';

export interface StoredDataset {
  id: string;
  orgId: string;
  sandbox: string;
  name: string;
  description: string | null;
  /** Which synthetic generator made the rows; null for datasets created from arbitrary rows. */
  kind: SyntheticKind | null;
  seedKey: string | null;
  schemaRef: SchemaRef | null;
  tags: Record<string, string[]>;
  fields: Field[];
  /** null: no labels entity. */
  labels: DatasetLabels | null;
  createdMs: number;
  updatedMs: number;
  seq: number;
}

export interface NewDataset {
  name: string;
  description?: string;
  /** Column tree; inferred from `rows` when absent. */
  fields?: Field[];
  schemaRef?: SchemaRef;
  tags?: Record<string, string[]>;
  labels?: DatasetLabels | null;
  kind?: SyntheticKind | null;
  rows?: Row[];
}

export interface StoredRow {
  seq: number;
  row: Row;
}

export interface ReadRowsOptions {
  /** Only rows with a larger sequence (an export watermark). */
  afterSeq?: number;
  /** Only rows up to and including this sequence. */
  upToSeq?: number;
  limit?: number;
}

export interface AppendResult {
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
}

export interface DatasetPage {
  items: StoredDataset[];
  total: number;
}

interface DatasetRecord {
  org: string;
  sandbox: string;
  id: string;
  seq: string;
  seed_key: string | null;
  kind: string | null;
  name: string;
  description: string | null;
  schema_ref: SchemaRef | null;
  tags: Record<string, string[]>;
  fields: Field[];
  labels: DatasetLabels | null;
  created_ms: string;
  updated_ms: string;
}

type Queryable = pg.Pool | pg.PoolClient;

function toDataset(r: DatasetRecord): StoredDataset {
  return {
    id: r.id,
    orgId: r.org,
    sandbox: r.sandbox,
    name: r.name,
    description: r.description,
    kind: r.kind === 'experienceEvent' || r.kind === 'profile' ? r.kind : null,
    seedKey: r.seed_key,
    schemaRef: r.schema_ref,
    tags: r.tags,
    fields: r.fields,
    labels: r.labels,
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
    seq: Number(r.seq),
  };
}

/** Advisory lock key of one dataset's rows: appends take it exclusively, exports shared. */
function rowsLockKey(t: Tenancy, datasetId: string): string {
  return `dataset-rows|${t.orgId}|${t.sandbox}|${datasetId}`;
}

export class DatasetStore {
  private readonly s: string;
  /** Tenancies known to be seeded (a cache; the dataset_seeds table is the truth). */
  private readonly seeded = new Set<string>();

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly options: { seed: number; seedUsers: number; now: () => number },
  ) {
    this.s = quoteIdent(schema);
  }

  /** Seeds the sandbox's synthetic datasets unless that already happened (idempotent, race-safe). */
  async ensureSeeded(t: Tenancy): Promise<void> {
    const key = `${t.orgId}\u0000${t.sandbox}`;
    if (this.seeded.has(key)) return;
    const existing = await this.pool.query(`SELECT 1 FROM ${this.s}.dataset_seeds WHERE org = $1 AND sandbox = $2`, [t.orgId, t.sandbox]);
    if ((existing.rowCount ?? 0) > 0) {
      this.seeded.add(key);
      return;
    }
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`dataset-seed|${t.orgId}|${t.sandbox}`]);
      const again = await client.query(`SELECT 1 FROM ${this.s}.dataset_seeds WHERE org = $1 AND sandbox = $2`, [t.orgId, t.sandbox]);
      if ((again.rowCount ?? 0) > 0) return;
      const datasets = generateSeededDatasets({ seed: this.options.seed, orgId: t.orgId, sandbox: t.sandbox }, this.options.seedUsers);
      const now = this.options.now();
      for (const d of datasets) {
        await this.insertDataset(client, t, {
          id: d.id,
          seedKey: d.key,
          kind: d.kind,
          name: d.name,
          description: d.description,
          schemaRef: d.schemaRef,
          tags: d.tags,
          fields: d.fields,
          labels: d.labels,
          nowMs: now,
        });
        await this.insertRows(client, t, d.id, d.rows);
      }
      await client.query(`INSERT INTO ${this.s}.dataset_seeds (org, sandbox) VALUES ($1, $2)`, [t.orgId, t.sandbox]);
    });
    this.seeded.add(key);
  }

  async createDataset(t: Tenancy, input: NewDataset): Promise<StoredDataset> {
    await this.ensureSeeded(t);
    const id = randomBytes(12).toString('hex');
    const rows = (input.rows ?? []).map(compactRow);
    await this.transaction(async (client) => {
      await this.insertDataset(client, t, {
        id,
        seedKey: null,
        kind: input.kind ?? null,
        name: input.name,
        description: input.description ?? null,
        schemaRef: input.schemaRef ?? null,
        tags: input.tags ?? {},
        fields: input.fields ?? inferFields(rows),
        labels: input.labels ?? null,
        nowMs: this.options.now(),
      });
      await this.insertRows(client, t, id, rows);
    });
    const created = await this.getDataset(t, id);
    if (created === null) throw new Error(`dataset ${id} vanished after creation`);
    return created;
  }

  async getDataset(t: Tenancy, id: string): Promise<StoredDataset | null> {
    await this.ensureSeeded(t);
    const { rows } = await this.pool.query<DatasetRecord>(`SELECT * FROM ${this.s}.datasets WHERE org = $1 AND sandbox = $2 AND id = $3`, [
      t.orgId,
      t.sandbox,
      id,
    ]);
    return rows[0] === undefined ? null : toDataset(rows[0]);
  }

  /** Datasets in creation order, `start` rows skipped. */
  async listDatasets(t: Tenancy, options: { start?: number; limit?: number; name?: string } = {}): Promise<DatasetPage> {
    await this.ensureSeeded(t);
    const params: unknown[] = [t.orgId, t.sandbox];
    let where = 'org = $1 AND sandbox = $2';
    if (options.name !== undefined) {
      params.push(options.name);
      where += ` AND name = $${params.length}`;
    }
    const total = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.datasets WHERE ${where}`, params);
    params.push(options.limit ?? 100, options.start ?? 0);
    const { rows } = await this.pool.query<DatasetRecord>(
      `SELECT * FROM ${this.s}.datasets WHERE ${where} ORDER BY seq LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { items: rows.map(toDataset), total: Number(total.rows[0]?.n ?? 0) };
  }

  /** Deletes a dataset and its rows (Catalog DELETE /dataSets/{id}); false when there was none. */
  async deleteDataset(t: Tenancy, id: string): Promise<boolean> {
    await this.ensureSeeded(t);
    return this.transaction(async (client) => {
      const deleted = await client.query(`DELETE FROM ${this.s}.datasets WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
      if ((deleted.rowCount ?? 0) === 0) return false;
      await client.query(`DELETE FROM ${this.s}.dataset_rows WHERE org = $1 AND sandbox = $2 AND dataset_id = $3`, [t.orgId, t.sandbox, id]);
      return true;
    });
  }

  /** The labels entity: undefined when the dataset does not exist, null when it has no labels entity. */
  async getLabels(t: Tenancy, id: string): Promise<DatasetLabels | null | undefined> {
    const dataset = await this.getDataset(t, id);
    return dataset === null ? undefined : dataset.labels;
  }

  async setLabels(t: Tenancy, id: string, labels: DatasetLabels | null): Promise<boolean> {
    await this.ensureSeeded(t);
    const result = await this.pool.query(
      `UPDATE ${this.s}.datasets SET labels = $4, updated_ms = $5 WHERE org = $1 AND sandbox = $2 AND id = $3`,
      [t.orgId, t.sandbox, id, labels === null ? null : JSON.stringify(labels), this.options.now()],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Appends rows (stored in compact form) after every existing row of the dataset. */
  async appendRows(t: Tenancy, datasetId: string, rows: readonly Row[]): Promise<AppendResult> {
    await this.ensureSeeded(t);
    return this.transaction(async (client) => {
      // Exclusive against exports reading this dataset, so no export can skip a row whose
      // sequence was taken but not yet committed.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [rowsLockKey(t, datasetId)]);
      const result = await this.insertRows(client, t, datasetId, rows.map(compactRow));
      await client.query(`UPDATE ${this.s}.datasets SET updated_ms = $4 WHERE org = $1 AND sandbox = $2 AND id = $3`, [
        t.orgId,
        t.sandbox,
        datasetId,
        this.options.now(),
      ]);
      return result;
    });
  }

  /** Appends `count` new synthetic rows generated like the seed (for datasets with a generator). */
  async appendSyntheticRows(t: Tenancy, dataset: StoredDataset, count: number): Promise<{ rows: Row[]; result: AppendResult }> {
    if (dataset.kind === null) throw new Error(`dataset ${dataset.id} has no synthetic generator`);
    const existing = await this.countRows(t, dataset.id);
    // New users continue after every user the dataset may already hold.
    const firstUser = 1_000_000 + existing;
    const rng = datasetRandom({ seed: this.options.seed, orgId: t.orgId, sandbox: t.sandbox }, dataset.seedKey ?? dataset.id, `append:${existing}`);
    const rows = generateSyntheticRows(rng, dataset.kind, count, firstUser).map(compactRow);
    return { rows, result: await this.appendRows(t, dataset.id, rows) };
  }

  async countRows(t: Tenancy, datasetId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.s}.dataset_rows WHERE org = $1 AND sandbox = $2 AND dataset_id = $3`,
      [t.orgId, t.sandbox, datasetId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Rows in sequence order. Pass `client` to read inside a caller's transaction. */
  async readRows(t: Tenancy, datasetId: string, options: ReadRowsOptions = {}, client: Queryable = this.pool): Promise<StoredRow[]> {
    const params: unknown[] = [t.orgId, t.sandbox, datasetId, options.afterSeq ?? 0];
    let where = 'org = $1 AND sandbox = $2 AND dataset_id = $3 AND seq > $4';
    if (options.upToSeq !== undefined) {
      params.push(options.upToSeq);
      where += ` AND seq <= $${params.length}`;
    }
    let limit = '';
    if (options.limit !== undefined) {
      params.push(options.limit);
      limit = `LIMIT $${params.length}`;
    }
    const { rows } = await client.query<{ seq: string; row: Row }>(
      `SELECT seq, row FROM ${this.s}.dataset_rows WHERE ${where} ORDER BY seq ${limit}`,
      params,
    );
    return rows.map((r) => ({ seq: Number(r.seq), row: r.row }));
  }

  /**
   * The rows after `afterSeq`, read under the shared lock appends exclude, so no concurrent
   * append's lower sequence can overtake them. The lock is held for the read only (not while the
   * export writes its files): an append waiting behind a long export would hold up every other
   * export of the dataset queued behind it.
   */
  async readRowsForExport(client: pg.PoolClient, t: Tenancy, datasetId: string, afterSeq: number): Promise<StoredRow[]> {
    const key = rowsLockKey(t, datasetId);
    await client.query('SELECT pg_advisory_lock_shared(hashtextextended($1, 0))', [key]);
    try {
      return await this.readRows(t, datasetId, { afterSeq }, client);
    } finally {
      await client.query('SELECT pg_advisory_unlock_shared(hashtextextended($1, 0))', [key]);
    }
  }

  private async insertDataset(
    client: pg.PoolClient,
    t: Tenancy,
    d: {
      id: string;
      seedKey: string | null;
      kind: SyntheticKind | null;
      name: string;
      description: string | null;
      schemaRef: SchemaRef | null;
      tags: Record<string, string[]>;
      fields: Field[];
      labels: DatasetLabels | null;
      nowMs: number;
    },
  ): Promise<void> {
    await client.query(
      `INSERT INTO ${this.s}.datasets (org, sandbox, id, seed_key, kind, name, description, schema_ref, tags, fields, labels, created_ms, updated_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
      [
        t.orgId,
        t.sandbox,
        d.id,
        d.seedKey,
        d.kind,
        d.name,
        d.description,
        d.schemaRef === null ? null : JSON.stringify(d.schemaRef),
        JSON.stringify(d.tags),
        JSON.stringify(d.fields),
        d.labels === null ? null : JSON.stringify(d.labels),
        d.nowMs,
      ],
    );
  }

  private async insertRows(client: pg.PoolClient, t: Tenancy, datasetId: string, rows: readonly Row[]): Promise<AppendResult> {
    if (rows.length === 0) return { count: 0, firstSeq: null, lastSeq: null };
    // One statement; ORDER BY the array position so sequences follow the given row order.
    const { rows: inserted } = await client.query<{ first: string; last: string; n: string }>(
      `WITH ins AS (
         INSERT INTO ${this.s}.dataset_rows (org, sandbox, dataset_id, row)
         SELECT $1, $2, $3, e.value FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY e.n
         RETURNING seq
       ) SELECT min(seq) AS first, max(seq) AS last, count(*) AS n FROM ins`,
      [t.orgId, t.sandbox, datasetId, JSON.stringify(rows)],
    );
    const summary = inserted[0];
    return { count: Number(summary?.n ?? 0), firstSeq: summary === undefined ? null : Number(summary.first), lastSeq: summary === undefined ? null : Number(summary.last) };
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

const stores = new WeakMap<SimulatorContext, DatasetStore>();

/** The one DatasetStore of a simulator instance (routes, run engine and admin share its cache). */
export function datasetStoreFor(ctx: SimulatorContext): DatasetStore {
  let store = stores.get(ctx);
  if (store === undefined) {
    store = new DatasetStore(ctx.pool, ctx.schema, { seed: ctx.config.seed, seedUsers: ctx.config.seedUsers, now: () => ctx.now() });
    stores.set(ctx, store);
  }
  return store;
}

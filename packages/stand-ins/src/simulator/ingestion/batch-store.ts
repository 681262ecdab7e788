// Batches and their files in Postgres. Status changes are conditional UPDATEs on the expected
// current status; the processor takes one due batch at a time under FOR UPDATE SKIP LOCKED.
import type pg from 'pg';
import type { Tenancy } from '../context.js';
import { quoteIdent } from '../../common/sql-ident.js';
import type { BatchRecord, BatchStatus } from './batch-record.js';

export interface BatchFile {
  fileName: string;
  bytes: Buffer;
}

export class BatchStore {
  private readonly batches: string;
  private readonly fileTable: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.batches = `${s}.batches`;
    this.fileTable = `${s}.batch_files`;
  }

  async insert(record: BatchRecord): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.batches} (org, sandbox, id, dataset_id, status, record) VALUES ($1, $2, $3, $4, $5, $6)`, [
      record.orgId,
      record.sandbox,
      record.id,
      record.datasetId,
      record.status,
      JSON.stringify(record),
    ]);
  }

  async get(t: Tenancy, id: string, client: pg.Pool | pg.PoolClient = this.pool): Promise<BatchRecord | null> {
    const { rows } = await client.query<{ record: BatchRecord }>(`SELECT record FROM ${this.batches} WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
    return rows[0]?.record ?? null;
  }

  async list(t: Tenancy, options: { datasetId?: string; status?: string; limit: number; start: number }): Promise<BatchRecord[]> {
    const params: unknown[] = [t.orgId, t.sandbox];
    const where = ['org = $1', 'sandbox = $2'];
    if (options.datasetId !== undefined) {
      params.push(options.datasetId);
      where.push(`dataset_id = $${params.length}`);
    }
    if (options.status !== undefined) {
      params.push(options.status);
      where.push(`status = $${params.length}`);
    }
    params.push(options.limit, options.start);
    const { rows } = await this.pool.query<{ record: BatchRecord }>(
      `SELECT record FROM ${this.batches} WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map((r) => r.record);
  }

  /** Writes `next` when the batch is still in one of `from`; false when it was not. */
  async transition(t: Tenancy, id: string, from: BatchStatus[], next: BatchRecord, processAfterMs: number | null, client: pg.Pool | pg.PoolClient = this.pool): Promise<boolean> {
    const result = await client.query(
      `UPDATE ${this.batches} SET status = $5, record = $6, process_after_ms = $7 WHERE org = $1 AND sandbox = $2 AND id = $3 AND status = ANY($4::text[])`,
      [t.orgId, t.sandbox, id, from, next.status, JSON.stringify(next), processAfterMs],
    );
    return (result.rowCount ?? 0) === 1;
  }

  /** Stores (or replaces) a file; true when it replaced an existing one. */
  async putFile(t: Tenancy, batchId: string, datasetId: string, fileName: string, bytes: Buffer, nowMs: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ replaced: boolean }>(
      `INSERT INTO ${this.fileTable} (org, sandbox, batch_id, dataset_id, file_name, bytes, uploaded_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org, sandbox, batch_id, dataset_id, file_name) DO UPDATE SET bytes = EXCLUDED.bytes, uploaded_ms = EXCLUDED.uploaded_ms
       RETURNING (xmax <> 0) AS replaced`,
      [t.orgId, t.sandbox, batchId, datasetId, fileName, bytes, nowMs],
    );
    return rows[0]?.replaced === true;
  }

  async files(t: Tenancy, batchId: string, client: pg.Pool | pg.PoolClient = this.pool): Promise<BatchFile[]> {
    const { rows } = await client.query<{ file_name: string; bytes: Buffer }>(
      `SELECT file_name, bytes FROM ${this.fileTable} WHERE org = $1 AND sandbox = $2 AND batch_id = $3 ORDER BY file_name`,
      [t.orgId, t.sandbox, batchId],
    );
    return rows.map((r) => ({ fileName: r.file_name, bytes: r.bytes }));
  }

  /** Whether any batch is due for processing (a cheap check before taking locks). */
  async anyDue(nowMs: number): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM ${this.batches} WHERE status = 'processing' AND process_after_ms <= $1 LIMIT 1`, [nowMs]);
    return rows.length > 0;
  }

  /** Locks the oldest due `processing` batch in the caller's transaction; null when none is due. */
  async lockDue(client: pg.PoolClient, nowMs: number): Promise<BatchRecord | null> {
    const { rows } = await client.query<{ record: BatchRecord }>(
      `SELECT record FROM ${this.batches} WHERE status = 'processing' AND process_after_ms <= $1 ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [nowMs],
    );
    return rows[0]?.record ?? null;
  }

  connect(): Promise<pg.PoolClient> {
    return this.pool.connect();
  }
}

// Large-file uploads of batch ingestion in Postgres: INITIALIZE opens (or restarts) an upload,
// each PATCH stores one byte range, COMPLETE stitches the ranges into the batch's files. Like
// Adobe, ranges are validated only at COMPLETE ("if chunks of a large file are found overlapping
// or missing, the server responds with 400": batch ingestion troubleshooting guide).
import type pg from 'pg';
import type { Tenancy } from '../context.js';
import { quoteIdent } from '../../common/sql-ident.js';

export interface FileKey {
  batchId: string;
  datasetId: string;
  fileName: string;
}

export type StitchResult = { ok: true; bytes: Buffer } | { ok: false; message: string };

/** Joins parts sorted by start into one file; refuses gaps and overlaps. */
export function stitchParts(fileName: string, parts: readonly { start: number; bytes: Buffer }[]): StitchResult {
  let next = 0;
  for (const part of parts) {
    if (part.start > next) return { ok: false, message: `Large file ${fileName} is missing bytes ${next}-${part.start - 1}` };
    if (part.start < next) return { ok: false, message: `Large file ${fileName} has overlapping chunks at byte ${part.start}` };
    next = part.start + part.bytes.length;
  }
  return { ok: true, bytes: Buffer.concat(parts.map((p) => p.bytes)) };
}

export class LargeFileStore {
  private readonly uploadTable: string;
  private readonly partTable: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.uploadTable = `${s}.batch_file_uploads`;
    this.partTable = `${s}.batch_file_parts`;
  }

  private keyParams(t: Tenancy, key: FileKey): unknown[] {
    return [t.orgId, t.sandbox, key.batchId, key.datasetId, key.fileName];
  }

  private readonly keyWhere = 'org = $1 AND sandbox = $2 AND batch_id = $3 AND dataset_id = $4 AND file_name = $5';

  /** Opens the upload; an upload of the same name starts over (its parts are dropped). */
  async initialize(t: Tenancy, key: FileKey, nowMs: number): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${this.partTable} WHERE ${this.keyWhere}`, this.keyParams(t, key));
      await client.query(
        `INSERT INTO ${this.uploadTable} (org, sandbox, batch_id, dataset_id, file_name, initialized_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org, sandbox, batch_id, dataset_id, file_name) DO UPDATE SET initialized_ms = EXCLUDED.initialized_ms`,
        [...this.keyParams(t, key), nowMs],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async isOpen(t: Tenancy, key: FileKey): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM ${this.uploadTable} WHERE ${this.keyWhere}`, this.keyParams(t, key));
    return rows.length > 0;
  }

  /** Stores one range (a resent range replaces the earlier one). */
  async putPart(t: Tenancy, key: FileKey, start: number, bytes: Buffer): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.partTable} (org, sandbox, batch_id, dataset_id, file_name, range_start, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org, sandbox, batch_id, dataset_id, file_name, range_start) DO UPDATE SET bytes = EXCLUDED.bytes`,
      [...this.keyParams(t, key), start, bytes],
    );
  }

  /** The bytes received so far, as `[start, endInclusive]` ranges in order. */
  async receivedRanges(t: Tenancy, key: FileKey): Promise<[number, number][]> {
    const { rows } = await this.pool.query<{ range_start: string; length: number }>(
      `SELECT range_start, octet_length(bytes) AS length FROM ${this.partTable} WHERE ${this.keyWhere} ORDER BY range_start`,
      this.keyParams(t, key),
    );
    return rows.map((r) => [Number(r.range_start), Number(r.range_start) + r.length - 1]);
  }

  async parts(t: Tenancy, key: FileKey): Promise<{ start: number; bytes: Buffer }[]> {
    const { rows } = await this.pool.query<{ range_start: string; bytes: Buffer }>(
      `SELECT range_start, bytes FROM ${this.partTable} WHERE ${this.keyWhere} ORDER BY range_start`,
      this.keyParams(t, key),
    );
    return rows.map((r) => ({ start: Number(r.range_start), bytes: r.bytes }));
  }

  /** Drops the upload and its parts (after COMPLETE moved the file into the batch). */
  async close(t: Tenancy, key: FileKey): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.partTable} WHERE ${this.keyWhere}`, this.keyParams(t, key));
    await this.pool.query(`DELETE FROM ${this.uploadTable} WHERE ${this.keyWhere}`, this.keyParams(t, key));
  }
}

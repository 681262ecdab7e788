// Segment definitions, jobs and job members in Postgres. Job transitions are conditional on the
// expected status; a job's members and its SUCCEEDED status are written in one transaction.
import type pg from 'pg';
import type { Tenancy } from '../context.js';
import type { Row } from '../datasets/fields.js';
import { quoteIdent } from '../../common/sql-ident.js';
import type { SegmentDefinition, SegmentJob, SegmentJobStatus } from './segment-records.js';

const UNIQUE_VIOLATION = '23505';

export class DuplicateSegmentNameError extends Error {}

export class SegmentStore {
  private readonly definitions: string;
  private readonly jobs: string;
  private readonly memberTable: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.definitions = `${s}.segment_definitions`;
    this.jobs = `${s}.segment_jobs`;
    this.memberTable = `${s}.segment_members`;
  }

  async insertDefinition(t: Tenancy, definition: SegmentDefinition): Promise<void> {
    try {
      await this.pool.query(`INSERT INTO ${this.definitions} (org, sandbox, id, name, body) VALUES ($1, $2, $3, $4, $5)`, [
        t.orgId,
        t.sandbox,
        definition.id,
        definition.name,
        JSON.stringify(definition),
      ]);
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === UNIQUE_VIOLATION) throw new DuplicateSegmentNameError(definition.name);
      throw error;
    }
  }

  async getDefinition(t: Tenancy, id: string): Promise<SegmentDefinition | null> {
    const { rows } = await this.pool.query<{ body: SegmentDefinition }>(`SELECT body FROM ${this.definitions} WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
    return rows[0]?.body ?? null;
  }

  /** Deletes a definition (its jobs and members stay, as job history); false when there was none. */
  async deleteDefinition(t: Tenancy, id: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${this.definitions} WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
    return (result.rowCount ?? 0) > 0;
  }

  async listDefinitions(t: Tenancy, limit: number, start: number): Promise<{ items: SegmentDefinition[]; total: number }> {
    const { rows } = await this.pool.query<{ body: SegmentDefinition; total: string }>(
      `SELECT body, count(*) OVER () AS total FROM ${this.definitions} WHERE org = $1 AND sandbox = $2 ORDER BY seq LIMIT $3 OFFSET $4`,
      [t.orgId, t.sandbox, limit, start],
    );
    if (rows.length > 0) return { items: rows.map((r) => r.body), total: Number(rows[0]?.total ?? 0) };
    // Past the last page the window count is not there: count on its own.
    const counted = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.definitions} WHERE org = $1 AND sandbox = $2`, [t.orgId, t.sandbox]);
    return { items: [], total: Number(counted.rows[0]?.n ?? 0) };
  }

  async insertJob(t: Tenancy, job: SegmentJob, runAfterMs: number): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.jobs} (org, sandbox, id, status, run_after_ms, record) VALUES ($1, $2, $3, $4, $5, $6)`, [
      t.orgId,
      t.sandbox,
      job.id,
      job.status,
      runAfterMs,
      JSON.stringify(job),
    ]);
  }

  async getJob(t: Tenancy, id: string): Promise<SegmentJob | null> {
    const { rows } = await this.pool.query<{ record: SegmentJob }>(`SELECT record FROM ${this.jobs} WHERE org = $1 AND sandbox = $2 AND id = $3`, [t.orgId, t.sandbox, id]);
    return rows[0]?.record ?? null;
  }

  async listJobs(t: Tenancy, options: { status?: string; limit: number; start: number }): Promise<{ items: SegmentJob[]; total: number }> {
    const { rows } = await this.pool.query<{ record: SegmentJob; total: string }>(
      `SELECT record, count(*) OVER () AS total FROM ${this.jobs} WHERE org = $1 AND sandbox = $2 AND ($3::text IS NULL OR status = $3)
       ORDER BY seq DESC LIMIT $4 OFFSET $5`,
      [t.orgId, t.sandbox, options.status ?? null, options.limit, options.start],
    );
    return { items: rows.map((r) => r.record), total: Number(rows[0]?.total ?? 0) };
  }

  /**
   * Moves due NEW jobs (and PROCESSING jobs whose worker went quiet before `staleWallMs`) to
   * PROCESSING for this worker; returns them.
   */
  async claimDue(nowMs: number, wallMs: number, staleWallMs: number, limit: number): Promise<SegmentJob[]> {
    const { rows } = await this.pool.query<{ record: SegmentJob }>(
      `UPDATE ${this.jobs} j SET status = 'PROCESSING', claimed_wall_ms = $2,
         record = j.record || jsonb_build_object('status', 'PROCESSING', 'updateTime', $1::bigint, 'updateEpoch', ($1::bigint / 1000))
       WHERE j.seq IN (
         SELECT seq FROM ${this.jobs}
         WHERE (status = 'NEW' AND run_after_ms <= $1) OR (status = 'PROCESSING' AND claimed_wall_ms < $3)
         ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED
       )
       RETURNING j.record`,
      [nowMs, wallMs, staleWallMs, limit],
    );
    return rows.map((r) => r.record);
  }

  /** Writes the job's outcome and (on success) its members, if it is still PROCESSING. */
  async finishJob(t: Tenancy, job: SegmentJob, members: Map<string, Row[]>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const updated = await client.query(`UPDATE ${this.jobs} SET status = $4, record = $5 WHERE org = $1 AND sandbox = $2 AND id = $3 AND status = 'PROCESSING'`, [
        t.orgId,
        t.sandbox,
        job.id,
        job.status,
        JSON.stringify(job),
      ]);
      if ((updated.rowCount ?? 0) !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(`DELETE FROM ${this.memberTable} WHERE org = $1 AND sandbox = $2 AND job_id = $3`, [t.orgId, t.sandbox, job.id]);
      for (const [segmentId, rows] of members) {
        if (rows.length === 0) continue;
        await client.query(
          `INSERT INTO ${this.memberTable} (org, sandbox, job_id, segment_id, member)
           SELECT $1, $2, $3, $4, e.value FROM jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY e.n`,
          [t.orgId, t.sandbox, job.id, segmentId, JSON.stringify(rows)],
        );
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** NEW or PROCESSING → CANCELLED; false when the job already ended (or does not exist). */
  async cancelJob(t: Tenancy, id: string, nowMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.jobs} SET status = 'CANCELLED', record = record || jsonb_build_object('status', 'CANCELLED', 'updateTime', $4::bigint, 'updateEpoch', ($4::bigint / 1000))
       WHERE org = $1 AND sandbox = $2 AND id = $3 AND status IN ('NEW', 'PROCESSING')`,
      [t.orgId, t.sandbox, id, nowMs],
    );
    return (result.rowCount ?? 0) === 1;
  }

  /** The latest SUCCEEDED job that evaluated the segment, if any. */
  async latestSucceededJob(t: Tenancy, segmentId: string): Promise<SegmentJob | null> {
    const { rows } = await this.pool.query<{ record: SegmentJob }>(
      `SELECT record FROM ${this.jobs} WHERE org = $1 AND sandbox = $2 AND status = $3
         AND record->'segments' @> jsonb_build_array(jsonb_build_object('segmentId', $4::text))
       ORDER BY seq DESC LIMIT 1`,
      [t.orgId, t.sandbox, 'SUCCEEDED' satisfies SegmentJobStatus, segmentId],
    );
    return rows[0]?.record ?? null;
  }

  async members(t: Tenancy, jobId: string, segmentId: string): Promise<Row[]> {
    const { rows } = await this.pool.query<{ member: Row }>(
      `SELECT member FROM ${this.memberTable} WHERE org = $1 AND sandbox = $2 AND segment_id = $3 AND job_id = $4 ORDER BY seq`,
      [t.orgId, t.sandbox, segmentId, jobId],
    );
    return rows.map((r) => r.member);
  }
}

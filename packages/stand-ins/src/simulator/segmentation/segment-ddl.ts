// Tables of segmentation: segment definitions, segment jobs (status and due time as columns for
// the worker) and the members each job qualified per segment (what activation exports).
import { quoteIdent } from '../../common/sql-ident.js';

export function segmentDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.segment_definitions (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       id text NOT NULL,
       name text NOT NULL,
       body jsonb NOT NULL,
       CONSTRAINT segment_definitions_id UNIQUE (org, sandbox, id),
       CONSTRAINT segment_definitions_name UNIQUE (org, sandbox, name)
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.segment_jobs (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       id text NOT NULL,
       status text NOT NULL,
       run_after_ms bigint NOT NULL,
       claimed_wall_ms bigint,
       record jsonb NOT NULL,
       CONSTRAINT segment_jobs_id UNIQUE (org, sandbox, id)
     )`,
    `CREATE INDEX IF NOT EXISTS segment_jobs_live ON ${s}.segment_jobs (status, run_after_ms) WHERE status IN ('NEW', 'PROCESSING')`,
    `CREATE TABLE IF NOT EXISTS ${s}.segment_members (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       job_id text NOT NULL,
       segment_id text NOT NULL,
       member jsonb NOT NULL
     )`,
    `CREATE INDEX IF NOT EXISTS segment_members_job ON ${s}.segment_members (org, sandbox, segment_id, job_id, seq)`,
  ];
}

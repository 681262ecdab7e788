// Tables of the simulated data lake: datasets per (org, sandbox), their rows with a global
// monotonic sequence (incremental exports read "rows after seq N"), and the per-sandbox seed marker.
import { quoteIdent } from '../../common/sql-ident.js';

export function datasetDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.datasets (
       org text NOT NULL,
       sandbox text NOT NULL,
       id text NOT NULL,
       seq bigserial NOT NULL,
       seed_key text,
       kind text,
       name text NOT NULL,
       description text,
       schema_ref jsonb,
       tags jsonb NOT NULL DEFAULT '{}'::jsonb,
       fields jsonb NOT NULL,
       labels jsonb,
       created_ms bigint NOT NULL,
       updated_ms bigint NOT NULL,
       PRIMARY KEY (org, sandbox, id)
     )`,
    `CREATE INDEX IF NOT EXISTS datasets_tenant_seq ON ${s}.datasets (org, sandbox, seq)`,
    `CREATE TABLE IF NOT EXISTS ${s}.dataset_rows (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       dataset_id text NOT NULL,
       row jsonb NOT NULL
     )`,
    `CREATE INDEX IF NOT EXISTS dataset_rows_dataset_seq ON ${s}.dataset_rows (org, sandbox, dataset_id, seq)`,
    `CREATE TABLE IF NOT EXISTS ${s}.dataset_seeds (
       org text NOT NULL,
       sandbox text NOT NULL,
       seeded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (org, sandbox)
     )`,
  ];
}

// Table of Query Service queries. The whole record is jsonb; the columns the worker selects on
// (state, due time, heartbeat, owner) are duplicated so claims and sweeps use an index.
import { quoteIdent } from '../../common/sql-ident.js';

export function queryDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.queries (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       id text NOT NULL,
       state text NOT NULL,
       run_after_ms bigint NOT NULL,
       heartbeat_ms bigint,
       owner text,
       soft_deleted boolean NOT NULL DEFAULT false,
       created_ms bigint NOT NULL,
       record jsonb NOT NULL,
       CONSTRAINT queries_tenant_id UNIQUE (org, sandbox, id)
     )`,
    `CREATE INDEX IF NOT EXISTS queries_live ON ${s}.queries (state, run_after_ms) WHERE state IN ('SUBMITTED', 'IN_PROGRESS')`,
    `CREATE INDEX IF NOT EXISTS queries_tenant_created ON ${s}.queries (org, sandbox, created_ms)`,
  ];
}

// Tables of the simulator core, all inside one Postgres schema so a test can drop it whole.
// Every statement is idempotent: the simulator runs them at each start.
import { quoteIdent } from '../../common/sql-ident.js';

export function coreDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.entities (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       kind text NOT NULL,
       id text NOT NULL,
       name text,
       body jsonb NOT NULL,
       etag text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT entities_tenant_kind_id UNIQUE (org, sandbox, kind, id)
     )`,
    // Pages are read in seq order within one tenant and kind.
    `CREATE INDEX IF NOT EXISTS entities_tenant_kind_seq ON ${s}.entities (org, sandbox, kind, seq)`,
    `CREATE INDEX IF NOT EXISTS entities_tenant_kind_name ON ${s}.entities (org, sandbox, kind, name)`,
    // The common list filters: runs by flowId, flows by source connection, specs by id.
    `CREATE INDEX IF NOT EXISTS entities_flow_id ON ${s}.entities (org, sandbox, kind, (body #>> '{flowId}'))`,
    `CREATE INDEX IF NOT EXISTS entities_connection_spec ON ${s}.entities (org, sandbox, kind, (body #>> '{connectionSpec,id}'))`,
    `CREATE INDEX IF NOT EXISTS entities_source_connection_ids ON ${s}.entities USING gin ((body #> '{sourceConnectionIds}') jsonb_path_ops)`,
    `CREATE INDEX IF NOT EXISTS entities_target_connection_ids ON ${s}.entities USING gin ((body #> '{targetConnectionIds}') jsonb_path_ops)`,
    `CREATE TABLE IF NOT EXISTS ${s}.ims_tokens (
       token_hash text PRIMARY KEY,
       client_id text NOT NULL,
       org_id text NOT NULL,
       expires_at_ms bigint NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  ];
}

// Run-engine storage. Runs themselves are Flow Service entities (kind 'run') in the core
// `entities` table; this adds the export watermarks and an index for finding due runs.
import { quoteIdent } from '../../common/sql-ident.js';

export function runDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    // Last dataset row sequence a flow exported per dataset: the next export is incremental from it.
    `CREATE TABLE IF NOT EXISTS ${s}.export_watermarks (
       org text NOT NULL,
       sandbox text NOT NULL,
       flow_id text NOT NULL,
       dataset_id text NOT NULL,
       last_seq bigint NOT NULL,
       last_run_id text NOT NULL,
       updated_ms bigint NOT NULL,
       PRIMARY KEY (org, sandbox, flow_id, dataset_id)
     )`,
    // The ticker's query: in-progress runs by due time (a small partial index).
    `CREATE INDEX IF NOT EXISTS entities_runs_in_progress ON ${s}.entities (((body #>> '{__sim,dueAtMs}')::bigint))
       WHERE kind = 'run' AND (body #>> '{__sim,phase}') = 'inProgress'`,
  ];
}

// Tables of batch ingestion: batches (record as jsonb, status and due time as columns for the
// processor), the files uploaded into them (raw bytes, parsed only when the batch is processed), and
// large files still being uploaded in parts.
import { quoteIdent } from '../../common/sql-ident.js';

export function batchDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.batches (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       id text NOT NULL,
       dataset_id text NOT NULL,
       status text NOT NULL,
       process_after_ms bigint,
       record jsonb NOT NULL,
       CONSTRAINT batches_tenant_id UNIQUE (org, sandbox, id)
     )`,
    `CREATE INDEX IF NOT EXISTS batches_processing ON ${s}.batches (status, process_after_ms) WHERE status = 'processing'`,
    `CREATE INDEX IF NOT EXISTS batches_dataset ON ${s}.batches (org, sandbox, dataset_id, seq)`,
    `CREATE TABLE IF NOT EXISTS ${s}.batch_files (
       org text NOT NULL,
       sandbox text NOT NULL,
       batch_id text NOT NULL,
       dataset_id text NOT NULL,
       file_name text NOT NULL,
       bytes bytea NOT NULL,
       uploaded_ms bigint NOT NULL,
       PRIMARY KEY (org, sandbox, batch_id, dataset_id, file_name)
     )`,
    // Large-file uploads in progress: INITIALIZE opens one, PATCH adds byte ranges, COMPLETE
    // stitches them into batch_files (ranges are only checked then, as Adobe does).
    `CREATE TABLE IF NOT EXISTS ${s}.batch_file_uploads (
       org text NOT NULL,
       sandbox text NOT NULL,
       batch_id text NOT NULL,
       dataset_id text NOT NULL,
       file_name text NOT NULL,
       initialized_ms bigint NOT NULL,
       PRIMARY KEY (org, sandbox, batch_id, dataset_id, file_name)
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.batch_file_parts (
       org text NOT NULL,
       sandbox text NOT NULL,
       batch_id text NOT NULL,
       dataset_id text NOT NULL,
       file_name text NOT NULL,
       range_start bigint NOT NULL,
       bytes bytea NOT NULL,
       PRIMARY KEY (org, sandbox, batch_id, dataset_id, file_name, range_start)
     )`,
  ];
}

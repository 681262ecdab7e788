// Tables of the Schema Registry subset: tenant XDM resources (field groups, schemas) keyed by
// their `$id` and `meta:altId`, and descriptors (identity descriptors, …) per source schema.
import { quoteIdent } from '../../common/sql-ident.js';

export function registryDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.xdm_resources (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       kind text NOT NULL,
       id text NOT NULL,
       alt_id text NOT NULL,
       body jsonb NOT NULL,
       CONSTRAINT xdm_resources_id UNIQUE (org, sandbox, id),
       CONSTRAINT xdm_resources_alt_id UNIQUE (org, sandbox, alt_id)
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.xdm_descriptors (
       seq bigserial PRIMARY KEY,
       org text NOT NULL,
       sandbox text NOT NULL,
       id text NOT NULL,
       source_schema text NOT NULL,
       body jsonb NOT NULL,
       CONSTRAINT xdm_descriptors_id UNIQUE (org, sandbox, id)
     )`,
    `CREATE INDEX IF NOT EXISTS xdm_descriptors_schema ON ${s}.xdm_descriptors (org, sandbox, source_schema)`,
  ];
}

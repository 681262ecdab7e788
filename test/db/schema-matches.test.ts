// `prisma migrate` cannot run on this machine, so migrations are hand-written. This test is the
// guard: the database the migrations produce must match schema.prisma (read through Prisma's own
// schema parser) in tables, columns, types, nullability, defaults, keys, indexes and foreign keys.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum';
  isRequired: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  isUpdatedAt: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}

const require = createRequire(import.meta.url);
const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
const schemaText = readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
const dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]] }))) as {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
};
const models = dmmf.datamodel.models;
const tableOf = (modelName: string) => {
  const m = models.find((x) => x.name === modelName)!;
  return m.dbName ?? m.name;
};
const columnOf = (modelName: string, field: string) => {
  const f = models.find((x) => x.name === modelName)!.fields.find((x) => x.name === field)!;
  return f.dbName ?? f.name;
};

function expectedType(f: DmmfField): string {
  return f.isList ? `${scalarType(f)}[]` : scalarType(f);
}

function scalarType(f: DmmfField): string {
  const native = f.nativeType?.[0];
  const args = f.nativeType?.[1] ?? [];
  switch (f.type) {
    case 'String':
      return native === 'Uuid' ? 'uuid' : native === 'VarChar' ? `character varying(${args[0]})` : 'text';
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Boolean':
      return 'boolean';
    case 'Float':
      return 'double precision';
    case 'Json':
      return 'jsonb';
    case 'DateTime':
      return native === 'Timestamptz' ? `timestamp(${args[0] ?? 6}) with time zone` : `timestamp(${args[0] ?? 3}) without time zone`;
    default:
      return `unsupported:${f.type}`;
  }
}

let t: TestDatabase;
let client: pg.Client;
before(async () => {
  t = await createTestDatabase('schema');
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await t.drop();
});

test('tables: exactly the models of schema.prisma (plus _prisma_migrations)', async () => {
  const { rows } = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const actual = rows.map((r) => r.table_name).filter((n) => n !== '_prisma_migrations').sort();
  assert.deepEqual(actual, models.map((m) => m.dbName ?? m.name).sort());
});

test('columns: names, types, nullability and defaults match every scalar field', async () => {
  const { rows } = await client.query<{ table_name: string; column_name: string; type: string; not_null: boolean; has_default: boolean }>(`
    SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null, (d.adbin IS NOT NULL) AS has_default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'`);
  const actual = rows.map((r) => `${r.table_name}.${r.column_name} ${r.type}${r.not_null ? ' not null' : ''}${r.has_default ? ' default' : ''}`).sort();
  const expected = models
    .flatMap((m) =>
      m.fields
        .filter((f) => f.kind === 'scalar')
        .map(
          (f) =>
            `${m.dbName ?? m.name}.${f.dbName ?? f.name} ${expectedType(f)}${f.isRequired ? ' not null' : ''}${f.hasDefaultValue && !f.isUpdatedAt ? ' default' : ''}`,
        ),
    )
    .sort();
  assert.deepEqual(actual, expected);
});

test('primary keys, unique and plain indexes match, with column order and sort direction', async () => {
  const { rows } = await client.query<{ table_name: string; is_primary: boolean; is_unique: boolean; def: string }>(`
    SELECT t.relname AS table_name, i.indisprimary AS is_primary, i.indisunique AS is_unique, pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
    WHERE t.relname <> '_prisma_migrations'`);
  const describe = (table: string, kind: string, cols: string[]) => `${table} ${kind} (${cols.join(', ')})`;
  const actual = rows
    .map((r) => {
      const cols = /\((.*)\)$/.exec(r.def)![1]!.split(', ').map((c) => c.replaceAll('"', ''));
      return describe(r.table_name, r.is_primary ? 'id' : r.is_unique ? 'unique' : 'normal', cols);
    })
    .sort();
  const expected = dmmf.datamodel.indexes
    .map((i) =>
      describe(
        tableOf(i.model),
        i.type,
        i.fields.map((f) => `${columnOf(i.model, f.name)}${f.sortOrder === 'desc' ? ' DESC' : ''}`),
      ),
    )
    .sort();
  assert.deepEqual(actual, expected);
});

test('foreign keys match the relations, with their delete actions', async () => {
  const { rows } = await client.query<{ def: string; table_name: string }>(`
    SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
    WHERE c.contype = 'f'`);
  const normalise = (s: string) => s.replaceAll('"', '');
  const actual = rows.map((r) => normalise(`${r.table_name} ${r.def}`)).sort();
  const actionSql: Record<string, string> = { Cascade: ' ON DELETE CASCADE', SetNull: ' ON DELETE SET NULL', Restrict: ' ON DELETE RESTRICT', NoAction: '' };
  const expected = models
    .flatMap((m) =>
      m.fields
        .filter((f) => f.kind === 'object' && f.relationFromFields && f.relationFromFields.length > 0)
        .map((f) => {
          const onDelete = f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull');
          const from = f.relationFromFields!.map((c) => columnOf(m.name, c)).join(', ');
          const to = f.relationToFields!.map((c) => columnOf(f.type, c)).join(', ');
          return `${m.dbName ?? m.name} FOREIGN KEY (${from}) REFERENCES ${tableOf(f.type)}(${to}) ON UPDATE CASCADE${actionSql[onDelete] ?? ''}`;
        }),
    )
    .sort();
  assert.deepEqual(actual, expected);
});

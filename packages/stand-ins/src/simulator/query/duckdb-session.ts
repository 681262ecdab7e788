// One query's private, in-memory DuckDB: no file system, network or extension access and a locked
// configuration, so user SQL can only see the tables loaded into it (never the simulator's own
// Postgres). Loads dataset rows as tables, runs a query with a row cap, and can be interrupted.
import { DuckDBInstance, type DuckDBConnection, type DuckDBType, type JS } from '@duckdb/node-api';
import type { Field, Row } from '../datasets/fields.js';
import { columnType, fieldFromColumn, jsonStructure, loadableFields, storedValue } from './duckdb-values.js';
import { quoteIdentifier, quoteLiteral } from './sql-text.js';

const SANDBOX_OPTIONS: Record<string, string> = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  threads: '1',
  memory_limit: '512MB',
  lock_configuration: 'true',
};

// Spark's random functions, which DuckDB lacks: randn() is a standard normal (Box-Muller).
const MACROS = [
  'CREATE MACRO randn() AS sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())',
  'CREATE MACRO rand() AS random()',
];

const INSERT_CHUNK_ROWS = 5000;

export interface SelectResult {
  fields: Field[];
  rows: Row[];
  /** More rows than the cap were produced (rows holds the cap). */
  overLimit: boolean;
}

export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<DuckDbSession> {
    const instance = await DuckDBInstance.create(':memory:', SANDBOX_OPTIONS);
    const connection = await instance.connect();
    const session = new DuckDbSession(instance, connection);
    for (const macro of MACROS) await connection.run(macro);
    return session;
  }

  /** Aborts the statement running now (it fails with DuckDB's "Interrupted!"). */
  interrupt(): void {
    this.connection.interrupt();
  }

  /** Table names a statement reads (CTE names excluded); empty when it does not parse. */
  referencedTables(sql: string): string[] {
    return [...this.connection.getTableNames(sql, false)];
  }

  async createTable(name: string, fields: readonly Field[], rows: readonly Row[]): Promise<void> {
    const columns = loadableFields(fields);
    const table = quoteIdentifier(name);
    const definition = columns.length === 0 ? '"_empty" BOOLEAN' : columns.map((f) => `${quoteIdentifier(f.name)} ${columnType(f)}`).join(', ');
    await this.connection.run(`CREATE TABLE ${table} (${definition})`);
    if (columns.length === 0 || rows.length === 0) return;
    const structure = quoteLiteral(JSON.stringify([jsonStructure(columns)]));
    for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
      const chunk = JSON.stringify(rows.slice(start, start + INSERT_CHUNK_ROWS));
      // Values of the wrong JSON type become NULL, like a schema-on-read data lake column.
      await this.connection.run(`INSERT INTO ${table} SELECT unnest(from_json($1::JSON, ${structure}), max_depth := 2)`, [chunk]);
    }
  }

  async createView(name: string, target: string): Promise<void> {
    await this.connection.run(`CREATE VIEW ${quoteIdentifier(name)} AS SELECT * FROM ${quoteIdentifier(target)}`);
  }

  /** Runs a query, reading at most `maxRows + 1` rows to detect an oversized result. */
  async select(sql: string, maxRows: number): Promise<SelectResult> {
    const reader = await this.connection.streamAndReadUntil(sql, maxRows + 1);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) throw new DuplicateColumnError(duplicate);
    const fields = names.map((name, index) => fieldFromColumn(name, types[index] as DuckDBType));
    const rawRows: JS[][] = reader.getRowsJS();
    const rows = rawRows.slice(0, maxRows).map((values) => Object.fromEntries(fields.map((field, index) => [field.name, storedValue(field, values[index] ?? null)])));
    return { fields, rows, overLimit: rawRows.length > maxRows || !reader.done };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A result with two columns of one name cannot become a dataset. */
export class DuplicateColumnError extends Error {
  constructor(readonly column: string) {
    super(`The result has more than one column named "${column}"; give each column a distinct alias.`);
  }
}

// Executes one claimed query: parses the script (refusing what the subset excludes), loads the
// datasets each statement reads into a private DuckDB, runs it, and writes CTAS/ITAS results to
// the dataset store. Stoppable at any time (kill, timeout, shutdown) through QueryExecution.
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor, type DatasetStore, type StoredDataset } from '../datasets/dataset-store.js';
import { isStruct, type Row } from '../datasets/fields.js';
import { DatasetTables, PQS_TABLE_TAG, tableNameFor } from './dataset-tables.js';
import { DuckDbSession, DuplicateColumnError, type SelectResult } from './duckdb-session.js';
import type { PipelineSettings } from './pipeline-settings.js';
import { errorFromEngine, QUERY_ERROR_CODES, userError } from './query-errors.js';
import type { QueryError, QueryRecord } from './query-record.js';
import { toDuckDbSql } from './sql-dialect.js';
import { parseScript, SqlRejection, type SqlStatement } from './sql-statements.js';

export type StopReason = 'KILLED' | 'TIMEOUT' | 'SHUTDOWN';

export type QueryOutcome =
  | { state: 'SUCCESS'; rowCount: number; referencedDatasetIds: string[]; createdDatasetId: string | null }
  | { state: 'FAILED' | 'KILLED' | 'TIMEOUT'; errors: QueryError[]; referencedDatasetIds: string[] }
  | { state: 'SHUTDOWN' };

/** A failure that ends the query with these errors. */
export class QueryFailure extends Error {
  constructor(readonly error: QueryError) {
    super(error.message);
  }
}

const REINTERRUPT_MS = 50;

/** Handle on a running query: stop() interrupts DuckDB and makes the runner end with the reason. */
export class QueryExecution {
  private session: DuckDbSession | null = null;
  private reason: StopReason | null = null;
  private interrupter: NodeJS.Timeout | null = null;
  private finished = false;

  get stopReason(): StopReason | null {
    return this.reason;
  }

  stop(reason: StopReason): void {
    this.reason ??= reason;
    this.session?.interrupt();
    // An interrupt that lands between two DuckDB calls is lost, so repeat it until the runner ends.
    if (this.interrupter === null && !this.finished) {
      this.interrupter = setInterval(() => this.session?.interrupt(), REINTERRUPT_MS);
      this.interrupter.unref();
    }
  }

  attach(session: DuckDbSession): void {
    this.session = session;
    if (this.reason !== null) session.interrupt();
  }

  /** Called by the runner when it is done with DuckDB (before the session closes). */
  finish(): void {
    this.finished = true;
    if (this.interrupter !== null) clearInterval(this.interrupter);
    this.interrupter = null;
    this.session = null;
  }

  throwIfStopped(): void {
    if (this.reason !== null) throw new StoppedError();
  }
}

class StoppedError extends Error {}

function stoppedOutcome(reason: StopReason, settings: PipelineSettings, referenced: string[]): QueryOutcome {
  if (reason === 'SHUTDOWN') return { state: 'SHUTDOWN' };
  const error =
    reason === 'KILLED'
      ? userError(QUERY_ERROR_CODES.cancelled, 'The query was cancelled by a cancel request.')
      : userError(QUERY_ERROR_CODES.timeout, `The query exceeded the execution time limit of ${settings.queryTimeoutMs} ms and was stopped.`);
  return { state: reason, errors: [error], referencedDatasetIds: referenced };
}

export async function runQuery(ctx: SimulatorContext, record: QueryRecord, execution: QueryExecution, settings: PipelineSettings): Promise<QueryOutcome> {
  const tenancy: Tenancy = { orgId: record.orgId, sandbox: record.sandbox };
  const run = new ScriptRun(datasetStoreFor(ctx), tenancy, execution, settings);
  try {
    const statements = parseScript(record.effectiveSql);
    const session = await DuckDbSession.open();
    execution.attach(session);
    try {
      let rowCount = 0;
      for (const statement of statements) {
        execution.throwIfStopped();
        rowCount = await run.statement(session, statement);
      }
      execution.throwIfStopped();
      return { state: 'SUCCESS', rowCount, referencedDatasetIds: run.referencedIds(), createdDatasetId: run.createdDatasetId };
    } finally {
      execution.finish();
      session.close();
    }
  } catch (error) {
    if (execution.stopReason !== null) return stoppedOutcome(execution.stopReason, settings, run.referencedIds());
    if (error instanceof SqlRejection) return { state: 'FAILED', errors: [userError(error.code, error.message)], referencedDatasetIds: run.referencedIds() };
    if (error instanceof QueryFailure) return { state: 'FAILED', errors: [error.error], referencedDatasetIds: run.referencedIds() };
    if (error instanceof DuplicateColumnError) return { state: 'FAILED', errors: [userError(QUERY_ERROR_CODES.syntax, error.message)], referencedDatasetIds: run.referencedIds() };
    return { state: 'FAILED', errors: [errorFromEngine(error)], referencedDatasetIds: run.referencedIds() };
  }
}

/** State of one script run: which datasets are loaded under which table names, what was created. */
export class ScriptRun {
  private readonly tables: DatasetTables;
  /** Loaded table name (lowercase) → dataset id. */
  private readonly loaded = new Map<string, string>();
  /** Dataset id → the table it was first loaded as. */
  private readonly loadedAs = new Map<string, string>();
  private inputRows = 0;
  createdDatasetId: string | null = null;

  constructor(
    private readonly store: DatasetStore,
    private readonly tenancy: Tenancy,
    private readonly execution: QueryExecution,
    private readonly settings: PipelineSettings,
  ) {
    this.tables = new DatasetTables(store, tenancy);
  }

  referencedIds(): string[] {
    return [...this.loadedAs.keys()];
  }

  /** Runs one statement; returns the rows it returned or wrote. */
  async statement(session: DuckDbSession, statement: SqlStatement): Promise<number> {
    if (statement.kind === 'set') return 0;
    const sql = toDuckDbSql(statement.sql);
    await this.loadReferencedTables(session, sql);
    this.execution.throwIfStopped();
    switch (statement.kind) {
      case 'select':
        return (await this.select(session, sql)).rows.length;
      case 'createTableAs':
        return this.createTableAs(session, statement.table, statement.ifNotExists, sql);
      case 'insertInto':
        return this.insertInto(session, statement.table, sql);
    }
  }

  /** A query's rows (interactive use): its tables loaded, at most the per-statement result cap. */
  async rowsOf(session: DuckDbSession, statement: Extract<SqlStatement, { kind: 'select' }>): Promise<SelectResult> {
    const sql = toDuckDbSql(statement.sql);
    await this.loadReferencedTables(session, sql);
    this.execution.throwIfStopped();
    return this.select(session, sql);
  }

  private async select(session: DuckDbSession, sql: string): Promise<SelectResult> {
    const result = await session.select(sql, this.settings.queryMaxResultRows);
    if (result.overLimit) {
      throw new QueryFailure(userError(QUERY_ERROR_CODES.programLimit, `The statement produced more than ${this.settings.queryMaxResultRows} rows, the simulator's limit per statement.`));
    }
    return result;
  }

  private async createTableAs(session: DuckDbSession, table: string, ifNotExists: boolean, sql: string): Promise<number> {
    if ((await this.tables.resolve(table)) !== null) {
      if (ifNotExists) return 0;
      throw new QueryFailure(userError(QUERY_ERROR_CODES.duplicateTable, `Table ${table} already exists; use INSERT INTO ${table} SELECT … to add rows.`));
    }
    const result = await this.select(session, sql);
    this.execution.throwIfStopped();
    const dataset = await this.store.createDataset(this.tenancy, {
      name: table,
      description: `Created by a Query Service CTAS (CREATE TABLE ${table} AS SELECT …).`,
      fields: result.fields,
      rows: result.rows,
      tags: { [PQS_TABLE_TAG]: [tableNameFor(table)] },
    });
    this.createdDatasetId = dataset.id;
    this.tables.invalidate();
    return result.rows.length;
  }

  private async insertInto(session: DuckDbSession, table: string, sql: string): Promise<number> {
    const target = await this.tables.resolve(table);
    if (target === null) throw new QueryFailure(userError(QUERY_ERROR_CODES.undefinedTable, `Table ${table} does not exist; create it with CREATE TABLE ${table} AS SELECT ….`));
    const result = await this.select(session, sql);
    const rows = alignToTarget(target, result);
    this.execution.throwIfStopped();
    await this.store.appendRows(this.tenancy, target.id, rows);
    return rows.length;
  }

  /** Loads every dataset the statement reads that is not loaded yet; unknown names are left to DuckDB's error. */
  private async loadReferencedTables(session: DuckDbSession, sql: string): Promise<void> {
    for (const name of session.referencedTables(sql)) {
      const key = name.toLowerCase();
      if (this.loaded.has(key)) continue;
      const dataset = await this.tables.resolve(name);
      if (dataset === null) continue;
      const existing = this.loadedAs.get(dataset.id);
      if (existing !== undefined) {
        await session.createView(name, existing);
      } else {
        await session.createTable(name, dataset.fields, await this.readRows(dataset));
        this.loadedAs.set(dataset.id, name);
      }
      this.loaded.set(key, dataset.id);
      this.execution.throwIfStopped();
    }
  }

  private async readRows(dataset: StoredDataset): Promise<Row[]> {
    const budget = this.settings.queryMaxInputRows - this.inputRows;
    const stored = await this.store.readRows(this.tenancy, dataset.id, { limit: budget + 1 });
    if (stored.length > budget) {
      throw new QueryFailure(userError(QUERY_ERROR_CODES.programLimit, `The query reads more than ${this.settings.queryMaxInputRows} rows, the simulator's input limit.`));
    }
    this.inputRows += stored.length;
    return stored.map((r) => r.row);
  }
}

/** ITAS rows keyed by the target's column names; every result column must exist in the target. */
function alignToTarget(target: StoredDataset, result: SelectResult): Row[] {
  const targetNames = new Map(target.fields.map((f) => [f.name.toLowerCase(), f]));
  const unknown = result.fields.filter((f) => !targetNames.has(f.name.toLowerCase())).map((f) => f.name);
  if (unknown.length > 0) {
    throw new QueryFailure(userError(QUERY_ERROR_CODES.undefinedColumn, `INSERT INTO ${target.name}: the target has no column ${unknown.join(', ')}.`));
  }
  const mismatched = result.fields.filter((f) => isStruct(f) !== isStruct(targetNames.get(f.name.toLowerCase()) ?? f)).map((f) => f.name);
  if (mismatched.length > 0) {
    throw new QueryFailure(userError(QUERY_ERROR_CODES.dataException, `INSERT INTO ${target.name}: column ${mismatched.join(', ')} does not match the target's type (object vs. value).`));
  }
  return result.rows.map((row) => Object.fromEntries(result.fields.map((f) => [targetNames.get(f.name.toLowerCase())?.name ?? f.name, row[f.name]])));
}

// One statement sent over the PostgreSQL interface (pg-interface.ts): run at once in a private
// DuckDB, not queued like the REST API's batch queries. Only queries are answered (SET is
// acknowledged): the interface is for reading, as the preview and BI tools use it. Errors come back
// in Query Service's voice with the statement position (engine-voice.ts).
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import { DuckDbSession, DuplicateColumnError, type SelectResult } from './duckdb-session.js';
import { engineVoice, positionOfName, type EngineVoice } from './engine-voice.js';
import { pipelineSettingsFor } from './pipeline-settings.js';
import { QUERY_ERROR_CODES } from './query-errors.js';
import { QueryExecution, QueryFailure, ScriptRun } from './query-runner.js';
import { parseScript, SqlRejection } from './sql-statements.js';

export type InteractiveOutcome = { kind: 'rows'; result: SelectResult } | { kind: 'set' } | { kind: 'error'; error: EngineVoice };

export async function runInteractive(ctx: SimulatorContext, tenancy: Tenancy, sql: string): Promise<InteractiveOutcome> {
  const settings = pipelineSettingsFor(ctx).current();
  const execution = new QueryExecution();
  const timer = setTimeout(() => execution.stop('TIMEOUT'), settings.queryTimeoutMs);
  try {
    const statements = parseScript(sql);
    if (statements.length !== 1) return { kind: 'error', error: { code: QUERY_ERROR_CODES.featureNotSupported, message: 'send one statement at a time' } };
    const statement = statements[0];
    if (statement?.kind === 'set') return { kind: 'set' };
    if (statement?.kind !== 'select') {
      return { kind: 'error', error: { code: QUERY_ERROR_CODES.featureNotSupported, message: 'this interface answers queries only; run CREATE TABLE … AS and INSERT INTO through the Query Service API' } };
    }
    const session = await DuckDbSession.open();
    execution.attach(session);
    try {
      const run = new ScriptRun(datasetStoreFor(ctx), tenancy, execution, settings);
      return { kind: 'rows', result: await run.rowsOf(session, statement) };
    } finally {
      execution.finish();
      session.close();
    }
  } catch (error) {
    if (execution.stopReason === 'TIMEOUT') return { kind: 'error', error: { code: QUERY_ERROR_CODES.timeout, message: `canceling statement due to statement timeout (${settings.queryTimeoutMs} ms)` } };
    if (error instanceof SqlRejection) {
      const message = error.message.replace(/^Syntax error encountered: /, '');
      const near = /at or near "([^"]+)"/.exec(message)?.[1];
      const position = near === undefined ? undefined : positionOfName(sql, near);
      return { kind: 'error', error: { code: error.code, message, ...(position === undefined ? {} : { position }) } };
    }
    if (error instanceof QueryFailure) return { kind: 'error', error: { code: error.error.code, message: error.error.message } };
    if (error instanceof DuplicateColumnError) return { kind: 'error', error: { code: QUERY_ERROR_CODES.syntax, message: error.message } };
    return { kind: 'error', error: engineVoice(error, sql) };
  } finally {
    clearTimeout(timer);
  }
}

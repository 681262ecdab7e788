// POST /queries/preview: a bounded query run the way Query Service serves interactive results,
// over its PostgreSQL interface. The credentials come from the Query Service API
// (GET /connection_parameters: host, port 80 on Adobe, the org id as user, the IMS token as
// password, dbName "{sandbox}:all"), as aepp's InteractiveQuery uses them; TLS as Adobe's client
// guides connect (sslmode=require). One connection per preview: the token in the credentials
// expires, and previews are rare. SQL errors come back as problems naming the SQLSTATE and the
// position in the caller's SQL.
import pg from 'pg';
import type { Db } from '../db/client.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import { withPlatformProblems } from '../datasets/platform-failure.js';
import { AppError } from '../errors.js';
import type { PlatformRegistry } from '../platform-registry.js';
import { findTenant } from '../tenants/tenant-store.js';
import { previewLimit, previewSqlOf, userPosition } from './preview-sql.js';
import type { PreviewColumnType, PreviewResponse } from './query-schemas.js';

export interface PreviewServiceDeps {
  db: Db;
  platforms: PlatformRegistry;
  datasets: Pick<DatasetService, 'assertSourcesUsable'>;
  sslMode: 'require' | 'verify-full';
  timeoutMs: number;
}

const INT8_OID = 20;

/** int8 as a number when exact (pg's default is a string); everything else as pg parses it. */
const defaultParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
const parseInt8 = (value: string): unknown => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
};
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : defaultParser(oid, format)) as typeof pg.types.getTypeParser,
};

function columnType(oid: number): PreviewColumnType {
  if (oid === 16) return 'boolean';
  if (oid === 20 || oid === 21 || oid === 23) return 'integer';
  if (oid === 700 || oid === 701 || oid === 1700) return 'number';
  if (oid === 25 || oid === 1043 || oid === 1042 || oid === 19) return 'string';
  if (oid === 1114 || oid === 1184) return 'timestamp';
  if (oid === 1082) return 'date';
  if (oid === 114 || oid === 3802) return 'json';
  return 'other';
}

/** SQLSTATE classes that mean "the SQL is wrong" (the caller fixes it) rather than "try later". */
const CALLER_CLASSES = new Set(['42', '22', '0A', '54', '21', '3D']);
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57']);

function databaseProblem(error: pg.DatabaseError, preview: { offset: number; userLength: number }): AppError {
  const code = error.code ?? 'XX000';
  const sqlClass = code.slice(0, 2);
  const position = userPosition(preview, error.position === undefined ? undefined : Number(error.position));
  if (CALLER_CLASSES.has(sqlClass)) {
    const where = position === null ? '' : ` (position ${position})`;
    return new AppError('sql_error', `Query Service: ${error.message}${where}.`, {
      sqlState: code,
      position,
      errors: [{ location: 'body', pointer: '/sql', message: `${error.message}${where}` }],
    });
  }
  if (sqlClass === '28') {
    return new AppError('platform_error', `Query Service refused the credentials from its connection_parameters call (${code}): ${error.message}.`, { platformCode: code });
  }
  if (UNAVAILABLE_CLASSES.has(sqlClass)) {
    return new AppError('service_unavailable', `Query Service could not run the preview now (${code}): ${error.message}.`, { platformCode: code, headers: { 'retry-after': '30' } });
  }
  return new AppError('platform_error', `Query Service failed the preview (${code}): ${error.message}.`, { platformCode: code });
}

export function createPreviewService({ db, platforms, datasets, sslMode, timeoutMs }: PreviewServiceDeps) {
  return {
    async preview(tenantId: string, sql: string): Promise<PreviewResponse> {
      const preview = previewSqlOf(sql);
      if (!preview.ok) {
        throw new AppError('validation_error', `body/sql ${preview.message}.`, { errors: [{ location: 'body', pointer: '/sql', message: preview.message }] });
      }
      const tenant = await findTenant(db, tenantId);
      if (!tenant) throw new AppError('unauthorized', 'The API key belongs to a tenant that no longer exists.');
      // Rows leave the Platform in the answer: the labels that forbid that (C9, C12) refuse it.
      await datasets.assertSourcesUsable(tenant, sql, { pointer: '/sql' });
      const connection = await withPlatformProblems(() => platforms.platformFor(tenant).getQueryConnection());
      const client = new pg.Client({
        host: connection.host,
        port: connection.port,
        user: connection.username,
        password: connection.token,
        database: connection.dbName,
        ssl: sslMode === 'verify-full' ? { rejectUnauthorized: true, servername: connection.host } : { rejectUnauthorized: false },
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        application_name: 'aep-distiller-jobs preview',
        types,
      });
      // A connection dropped mid-answer must not crash the process; the query call reports it.
      client.on('error', () => undefined);
      try {
        await client.connect();
        const result = await client.query<Record<string, unknown>>(preview.sql);
        return {
          columns: result.fields.map((f) => ({ name: f.name, type: columnType(f.dataTypeID) })),
          rows: result.rows.slice(0, previewLimit),
          rowCount: Math.min(result.rows.length, previewLimit),
          truncated: result.rows.length > previewLimit,
          limit: previewLimit,
        };
      } catch (error) {
        if (error instanceof pg.DatabaseError) throw databaseProblem(error, preview);
        const reason = error instanceof Error ? error.message : String(error);
        throw new AppError('service_unavailable', `Query Service's PostgreSQL interface at ${connection.host}:${connection.port} did not answer: ${reason}.`, {
          headers: { 'retry-after': '30' },
        });
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

export type PreviewService = ReturnType<typeof createPreviewService>;

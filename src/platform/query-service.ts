// Query Service (`/data/foundation/query`, query-service.yaml): submit a CTAS (`createQuery`), read
// a query (`retrieveQuery`), find queries by a piece of their SQL (`listQueries`; the "lookup before
// create" of a query, by its deterministic table name), cancel (`cancelQuery`), and the credentials
// of its PostgreSQL interface (`listConnectionParameters`).
import type { CallOptions, Send } from './call-executor.js';
import { sendEnding } from './ending-call.js';
import { QueryListSchema, QuerySchema, type Query } from './pipeline-types.js';
import { QUERY_CONNECTION_PATH, QueryConnectionSchema, type QueryConnection } from './query-connection.js';
import { parseBody } from './responses.js';

const QUERY_SERVICE = '/data/foundation/query';
const call = { area: 'datasets' as const, subject: 'query', permission: 'Manage Queries' };

export interface SubmitCtasInput {
  /** `{sandbox}:all` */
  dbName: string;
  sql: string;
  /** The dataset the CTAS creates (ctasParameters.datasetName). */
  datasetName: string;
  name: string;
  description?: string;
  queryParameters?: Record<string, string>;
}

export function queryServiceMethods(send: Send) {
  return {
    /** Submits a CTAS query (202, SUBMITTED). Never replayed once sent: find it by its table name. */
    async submitCtasQuery(input: SubmitCtasInput, opts?: CallOptions): Promise<Query> {
      const meta = { ...call, endpoint: 'queries.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
          method: 'POST',
          path: `${QUERY_SERVICE}/queries`,
          safety: 'create',
          body: {
            dbName: input.dbName,
            sql: input.sql,
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            ...(input.queryParameters === undefined ? {} : { queryParameters: input.queryParameters }),
            ctasParameters: { datasetName: input.datasetName },
          },
        },
        opts,
      );
      return parseBody(QuerySchema, response, meta);
    },

    async getQuery(queryId: string, opts?: CallOptions): Promise<Query> {
      const meta = { ...call, endpoint: 'queries.get' };
      const response = await send({ ...meta, method: 'GET', path: `${QUERY_SERVICE}/queries/${encodeURIComponent(queryId)}` }, opts);
      return parseBody(QuerySchema, response, meta);
    },

    /** Newest queries whose SQL contains `text` (`property=sql~text`). */
    async findQueriesBySql(text: string, opts?: CallOptions & { limit?: number }): Promise<Query[]> {
      const meta = { ...call, endpoint: 'queries.list' };
      const response = await send(
        {
          ...meta,
          method: 'GET',
          path: `${QUERY_SERVICE}/queries`,
          query: [
            ['orderby', '-created'],
            ['limit', opts?.limit ?? 20],
            ['property', `sql~${text}`],
          ],
        },
        opts,
      );
      return parseBody(QueryListSchema, response, meta).queries;
    },

    /** Cancels a query; a query that already ended (409) is left as it is. */
    cancelQuery: (queryId: string, opts?: CallOptions): Promise<boolean> =>
      sendEnding(
        send,
        { ...call, endpoint: 'queries.cancel', method: 'PATCH', path: `${QUERY_SERVICE}/queries/${encodeURIComponent(queryId)}`, body: { op: 'cancel' } },
        opts,
        ['conflict', 'not_found'],
      ),

    /** Credentials of Query Service's PostgreSQL interface (host, port, user, token, dbName). */
    async getQueryConnection(opts?: CallOptions): Promise<QueryConnection> {
      const meta = { endpoint: 'queryService.connectionParameters', area: 'datasets' as const, subject: 'Query Service connection parameters' };
      const response = await send({ ...meta, method: 'GET', path: QUERY_CONNECTION_PATH }, opts);
      return parseBody(QueryConnectionSchema, response, meta);
    },
  };
}

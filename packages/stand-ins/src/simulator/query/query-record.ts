// What the simulator keeps about one Query Service query, and its states (query-service.yaml
// `query.state`). SUBMITTED and IN_PROGRESS are live; the other four are terminal.
import { z } from 'zod';

export const QUERY_STATES = ['SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'KILLED', 'TIMEOUT'] as const;
export type QueryState = (typeof QUERY_STATES)[number];
export const TERMINAL_QUERY_STATES: ReadonlySet<QueryState> = new Set(['SUCCESS', 'FAILED', 'KILLED', 'TIMEOUT']);

/** The POST /queries body (query-service.yaml `query_def`), as far as the simulator uses it. */
export const queryDefinitionSchema = z.looseObject({
  dbName: z.string().optional(),
  sql: z.string().optional(),
  templateId: z.string().optional(),
  queryParameters: z.record(z.string(), z.string()).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  ctasParameters: z.looseObject({ datasetName: z.string().min(1), description: z.string().optional(), targetSchemaTitle: z.string().optional() }).optional(),
  insertIntoParameters: z.looseObject({ datasetName: z.string().min(1) }).optional(),
});
export type QueryDefinition = z.infer<typeof queryDefinitionSchema>;

export interface QueryError {
  code: string;
  message: string;
  errorType: 'USER_ERROR' | 'SYSTEM_ERROR';
}

export interface QueryRecord {
  id: string;
  orgId: string;
  sandbox: string;
  state: QueryState;
  request: QueryDefinition;
  /** The SQL actually run (ctasParameters/insertIntoParameters applied, parameters filled in). */
  effectiveSql: string;
  isCtas: boolean;
  isInsertInto: boolean;
  client: string;
  userId: string;
  createdMs: number;
  updatedMs: number;
  startedMs: number | null;
  endedMs: number | null;
  rowCount: number | null;
  errors: QueryError[];
  referencedDatasetIds: string[];
  createdDatasetId: string | null;
  softDeleted: boolean;
}

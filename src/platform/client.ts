// The service's Adobe Experience Platform client, in domain terms: datasets and their labels, the
// four objects of an export chain (base, source and target connections, flow), flow lifecycle,
// ad hoc runs and run monitoring. Creates are never blindly retried; the caller finds objects by
// their deterministic name (`find*ByName`) after an ambiguous failure.
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import { createCallExecutor, createSender, type CallOptions, type PlatformCallEvent } from './call-executor.js';
import { PlatformError, type PlatformArea } from './errors.js';
import { createOriginPools, DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts, type OriginPools } from './http.js';
import {
  parseAdhocRun,
  parseBody,
  parseCatalogDatasets,
  parseDatasetLabels,
  parseListPage,
  parseSingleEntity,
  unexpectedResponse,
} from './responses.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { ADHOC_DATASET_ACCEPT, DATA_LAKE_SOURCE_SPEC_ID } from './spec-ids.js';
import { dlzCredentialsOf, LANDING_ZONE_CREDENTIALS_PATH, LandingZoneAnswerSchema, type DlzContainerType } from './landing-zone.js';
import type { DlzCredentials } from '../storage/dlz-credentials.js';
import type { TokenCache } from './token-cache.js';
import { QUERY_CONNECTION_PATH, QueryConnectionSchema, type QueryConnection } from './query-connection.js';
import { flattenSchemaFields, ResolvedSchemaSchema, schemaContainerOf, XDM_FULL_ACCEPT, type SchemaField } from './schema-fields.js';
import {
  BaseConnectionSchema,
  CountEnvelopeSchema,
  EntityRefSchema,
  ExportableDatasetPageSchema,
  FlowSchema,
  RunSchema,
  SourceConnectionSchema,
  TargetConnectionSchema,
  type AdhocRunStarted,
  type BaseConnection,
  type CatalogDataset,
  type DatasetLabels,
  type EntityRef,
  type ExportableDatasetPage,
  type Flow,
  type PlatformTarget,
  type Run,
  type ScheduleParams,
  type SourceConnection,
  type TargetConnection,
} from './types.js';

export type { PlatformCallEvent } from './call-executor.js';

const FLOW_SERVICE = '/data/foundation/flowservice';
const CATALOG = '/data/foundation/catalog';
const DATASET_SERVICE = '/data/foundation/dataset';
const SCHEMA_REGISTRY = '/data/foundation/schemaregistry';
const ADHOC_RUN_PATH = '/data/core/activation/disflowprovider/adhocrun';
/** Guard against a server that keeps handing out continuation tokens. */
const MAX_LIST_PAGES = 50;

/** Flow Service collections the client lists, counts and deletes. */
export type FlowServiceKind = 'connection' | 'sourceConnection' | 'targetConnection' | 'flow' | 'run';

const KINDS: Record<FlowServiceKind, { path: string; subject: string; endpoint: string; area: PlatformArea }> = {
  connection: { path: '/connections', subject: 'base connection', endpoint: 'connections', area: 'destinations' },
  sourceConnection: { path: '/sourceConnections', subject: 'source connection', endpoint: 'sourceConnections', area: 'destinations' },
  targetConnection: { path: '/targetConnections', subject: 'target connection', endpoint: 'targetConnections', area: 'destinations' },
  flow: { path: '/flows', subject: 'flow', endpoint: 'flows', area: 'destinations' },
  run: { path: '/runs', subject: 'run', endpoint: 'runs', area: 'runs' },
};

export type { CallOptions };

export interface ListOptions extends CallOptions {
  /** Items per request (1..100); every page is followed regardless. */
  pageSize?: number;
}

export interface CreateBaseConnectionInput {
  name: string;
  connectionSpecId: string;
  /** null for the Data Landing Zone (no auth spec). */
  auth: { specName: string; params: Record<string, unknown> } | null;
  description?: string;
}

export interface CreateSourceConnectionInput {
  name: string;
  datasetId: string;
  datasetName?: string;
  description?: string;
}

export interface CreateTargetConnectionInput {
  name: string;
  baseConnectionId: string;
  connectionSpecId: string;
  /** mode, compression, datasetFileType and the destination's location params. */
  params: Record<string, unknown>;
  description?: string;
}

export interface CreateFlowInput {
  name: string;
  flowSpecId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  scheduleParams: ScheduleParams;
  description?: string;
}

/** One JSON-Patch operation as Flow Service takes it. */
export interface FlowPatchOperation {
  op: 'replace' | 'add' | 'remove';
  path: string;
  value?: unknown;
}

export interface ListRunsOptions extends CallOptions {
  /** Page size, 1..100. */
  limit?: number;
  /** Newest first by default (the Platform's own default). */
  oldestFirst?: boolean;
}

export interface PlatformClientOptions {
  target: PlatformTarget;
  tokens: TokenCache;
  logger?: Logger;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
  /** Shared keep-alive pools; when absent the client owns its own and `close()` closes them. */
  pools?: OriginPools;
  onCall?: (event: PlatformCallEvent) => void;
}

export type PlatformClient = ReturnType<typeof createPlatformClient>;

export function createPlatformClient(options: PlatformClientOptions) {
  const { target, tokens } = options;
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const ownsPools = options.pools === undefined;
  const pools = options.pools ?? createOriginPools(timeouts);
  const log = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'platform-client',
    orgId: target.orgId,
    sandbox: target.sandbox,
  });
  const execute = createCallExecutor({
    target,
    tokens,
    pools,
    timeouts,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    log,
    onCall: options.onCall,
  });

  const send = createSender(execute, target.sandbox);

  // ---- Flow Service generics -------------------------------------------------------------

  async function getEntity<S extends z.ZodType>(kind: FlowServiceKind, id: string, schema: S, opts?: CallOptions): Promise<z.infer<S>> {
    const k = KINDS[kind];
    const call = { endpoint: `${k.endpoint}.get`, area: k.area, subject: k.subject };
    const response = await send({ ...call, method: 'GET', path: `${FLOW_SERVICE}${k.path}/${encodeURIComponent(id)}` }, opts);
    return parseSingleEntity(schema, response, call);
  }

  /** Lists every entity matching all `properties` filters, following continuation tokens. */
  async function listEntities<S extends z.ZodType>(
    kind: FlowServiceKind,
    properties: string[],
    schema: S,
    opts?: CallOptions & { limit?: number; orderBy?: string; maxPages?: number },
  ): Promise<z.infer<S>[]> {
    const k = KINDS[kind];
    const call = { endpoint: `${k.endpoint}.list`, area: k.area, subject: k.subject };
    const all: z.infer<S>[] = [];
    let continuationToken: string | undefined;
    for (let page = 0; page < (opts?.maxPages ?? MAX_LIST_PAGES); page++) {
      const query: [string, string | number][] = properties.map((p) => ['property', p]);
      if (opts?.limit !== undefined) query.push(['limit', opts.limit]);
      if (opts?.orderBy !== undefined) query.push(['orderby', opts.orderBy]);
      if (continuationToken !== undefined) query.push(['continuationToken', continuationToken]);
      const response = await send({ ...call, method: 'GET', path: `${FLOW_SERVICE}${k.path}`, query }, opts);
      const parsed = parseListPage(schema, response, call);
      all.push(...parsed.items);
      continuationToken = parsed.continuationToken;
      if (continuationToken === undefined) break;
    }
    return all;
  }

  /** The entity with exactly this name, or null. Oldest first when names repeat. */
  async function findByName<S extends z.ZodType<{ name?: string | undefined }>>(
    kind: FlowServiceKind,
    name: string,
    schema: S,
    opts?: CallOptions,
  ): Promise<z.infer<S> | null> {
    const items = await listEntities(kind, [`name==${name}`], schema, opts);
    return items.find((item) => item.name === name) ?? null;
  }

  async function create(kind: FlowServiceKind, body: unknown, opts?: CallOptions): Promise<EntityRef> {
    const k = KINDS[kind];
    const call = { endpoint: `${k.endpoint}.create`, area: k.area, subject: k.subject, ambiguous: true };
    const response = await send({ ...call, method: 'POST', path: `${FLOW_SERVICE}${k.path}`, body, safety: 'create' }, opts);
    return parseBody(EntityRefSchema, response, call);
  }

  /** Deletes; true when deleted now, false when it was already gone (a replayed DELETE). */
  async function remove(kind: FlowServiceKind, id: string, opts?: CallOptions): Promise<boolean> {
    const k = KINDS[kind];
    try {
      await send(
        { endpoint: `${k.endpoint}.delete`, area: k.area, subject: k.subject, method: 'DELETE', path: `${FLOW_SERVICE}${k.path}/${encodeURIComponent(id)}` },
        opts,
      );
      return true;
    } catch (error) {
      if (error instanceof PlatformError && error.kind === 'not_found') return false;
      throw error;
    }
  }

  async function flowAction(flowId: string, op: 'enable' | 'disable', opts?: CallOptions): Promise<EntityRef> {
    const call = { endpoint: `flows.${op}`, area: 'destinations' as const, subject: 'flow' };
    const response = await send(
      { ...call, method: 'POST', path: `${FLOW_SERVICE}/flows/${encodeURIComponent(flowId)}/action`, query: [['op', op]] },
      opts,
    );
    return parseBody(EntityRefSchema, response, call);
  }

  /**
   * JSON-Patch a flow or a base connection (flow-service.yaml `PATCH /flows/{id}` and
   * `patchConnection`); `etag` is the entity's etag as read (quotes included) for the required
   * If-Match. A stale etag is answered 412, which the client reports as kind `conflict`.
   */
  async function patchEntity(kind: 'flow' | 'connection', id: string, operations: FlowPatchOperation[], etag: string, opts?: CallOptions): Promise<EntityRef> {
    const k = KINDS[kind];
    const call = { endpoint: `${k.endpoint}.patch`, area: k.area, subject: k.subject };
    const response = await send(
      {
        ...call,
        method: 'PATCH',
        path: `${FLOW_SERVICE}${k.path}/${encodeURIComponent(id)}`,
        body: operations,
        headers: { 'if-match': etag },
      },
      opts,
    );
    return parseBody(EntityRefSchema, response, call);
  }

  const patchFlow = (flowId: string, operations: FlowPatchOperation[], etag: string, opts?: CallOptions): Promise<EntityRef> =>
    patchEntity('flow', flowId, operations, etag, opts);

  return {
    target,

    // ---- Datasets and governance ---------------------------------------------------------

    /** Dataset-wide and field labels; null when the dataset has no labels entity (PES-404). */
    async getDatasetLabels(datasetId: string, opts?: CallOptions): Promise<DatasetLabels | null> {
      const call = { endpoint: 'datasetLabels.get', area: 'labels' as const, subject: 'dataset labels' };
      try {
        const response = await send({ ...call, method: 'GET', path: `${DATASET_SERVICE}/datasets/${encodeURIComponent(datasetId)}/labels` }, opts);
        return parseDatasetLabels(response, datasetId, call);
      } catch (error) {
        if (error instanceof PlatformError && error.kind === 'not_found' && error.code === 'PES-404') return null;
        throw error;
      }
    },

    async getDataset(datasetId: string, opts?: CallOptions): Promise<CatalogDataset> {
      const call = { endpoint: 'datasets.get', area: 'datasets' as const, subject: 'dataset' };
      const response = await send({ ...call, method: 'GET', path: `${CATALOG}/dataSets/${encodeURIComponent(datasetId)}` }, opts);
      const found = parseCatalogDatasets(response, call).find((d) => d.id === datasetId);
      if (!found) throw unexpectedResponse(call, response.status, 'the dataset id is not in the answer');
      return found;
    },

    /** Deletes a dataset and its data (catalog.yaml `deleteDataset`); false when it was already gone. */
    async deleteDataset(datasetId: string, opts?: CallOptions): Promise<boolean> {
      try {
        await send({ endpoint: 'datasets.delete', area: 'datasets', subject: 'dataset', method: 'DELETE', path: `${CATALOG}/dataSets/${encodeURIComponent(datasetId)}` }, opts);
        return true;
      } catch (error) {
        if (error instanceof PlatformError && error.kind === 'not_found') return false;
        throw error;
      }
    },

    async listDatasets(query: { limit?: number; start?: number; name?: string } = {}, opts?: CallOptions): Promise<CatalogDataset[]> {
      const call = { endpoint: 'datasets.list', area: 'datasets' as const, subject: 'dataset' };
      const pairs: [string, string | number][] = [];
      if (query.limit !== undefined) pairs.push(['limit', query.limit]);
      if (query.start !== undefined) pairs.push(['start', query.start]);
      if (query.name !== undefined) pairs.push(['name', query.name]);
      const response = await send({ ...call, method: 'GET', path: `${CATALOG}/dataSets`, query: pairs }, opts);
      return parseCatalogDatasets(response, call);
    },

    /** The fields of a dataset's schema (its `schemaRef.id`), resolved by the Schema Registry. */
    async getSchemaFields(schemaId: string, opts?: CallOptions): Promise<SchemaField[]> {
      const call = { endpoint: 'schemas.get', area: 'datasets' as const, subject: 'dataset schema' };
      const response = await send(
        {
          ...call,
          method: 'GET',
          path: `${SCHEMA_REGISTRY}/${schemaContainerOf(schemaId)}/schemas/${encodeURIComponent(schemaId)}`,
          accept: XDM_FULL_ACCEPT,
        },
        opts,
      );
      return flattenSchemaFields(parseBody(ResolvedSchemaSchema, response, call).properties);
    },

    /** Credentials of Query Service's PostgreSQL interface (host, port, user, token, dbName). */
    async getQueryConnection(opts?: CallOptions): Promise<QueryConnection> {
      const call = { endpoint: 'queryService.connectionParameters', area: 'datasets' as const, subject: 'Query Service connection parameters' };
      const response = await send({ ...call, method: 'GET', path: QUERY_CONNECTION_PATH }, opts);
      return parseBody(QueryConnectionSchema, response, call);
    },

    /** The org's Data Landing Zone credentials for one container type (reference cmle §3). */
    async getLandingZoneCredentials(type: DlzContainerType, opts?: CallOptions): Promise<DlzCredentials> {
      const call = { endpoint: 'landingZone.credentials', area: 'destinations' as const, subject: 'Data Landing Zone credentials' };
      const response = await send({ ...call, method: 'GET', path: LANDING_ZONE_CREDENTIALS_PATH, query: [['type', type]] }, opts);
      return dlzCredentialsOf(parseBody(LandingZoneAnswerSchema, response, call), Date.now());
    },

    /** Datasets the org may export (reference 2.1), one page. */
    async listExportableDatasets(page: { start?: number; limit?: number } = {}, opts?: CallOptions): Promise<ExportableDatasetPage> {
      const call = { endpoint: 'exportableDatasets.list', area: 'datasets' as const, subject: 'exportable dataset list' };
      const response = await send(
        {
          ...call,
          method: 'GET',
          path: `${FLOW_SERVICE}/connectionSpecs/${DATA_LAKE_SOURCE_SPEC_ID}/configs`,
          query: [
            ['outputType', 'activationDatasets'],
            ['outputField', 'datasets'],
            ['start', page.start ?? 0],
            ['limit', page.limit ?? 20],
          ],
        },
        opts,
      );
      return parseBody(ExportableDatasetPageSchema, response, call);
    },

    // ---- Export chain: find by name, create, get, delete ---------------------------------

    findBaseConnectionByName: (name: string, opts?: CallOptions): Promise<BaseConnection | null> =>
      findByName('connection', name, BaseConnectionSchema, opts),
    createBaseConnection: (input: CreateBaseConnectionInput, opts?: CallOptions): Promise<EntityRef> =>
      create(
        'connection',
        {
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          auth: input.auth,
          connectionSpec: { id: input.connectionSpecId, version: '1.0' },
        },
        opts,
      ),
    getBaseConnection: (id: string, opts?: CallOptions): Promise<BaseConnection> => getEntity('connection', id, BaseConnectionSchema, opts),
    /** JSON-Patch a base connection (e.g. replace `/auth` to rotate credentials) with If-Match. */
    patchBaseConnection: (id: string, operations: FlowPatchOperation[], etag: string, opts?: CallOptions): Promise<EntityRef> =>
      patchEntity('connection', id, operations, etag, opts),
    deleteBaseConnection: (id: string, opts?: CallOptions): Promise<boolean> => remove('connection', id, opts),

    findSourceConnectionByName: (name: string, opts?: CallOptions): Promise<SourceConnection | null> =>
      findByName('sourceConnection', name, SourceConnectionSchema, opts),
    createSourceConnection: (input: CreateSourceConnectionInput, opts?: CallOptions): Promise<EntityRef> =>
      create(
        'sourceConnection',
        {
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          connectionSpec: { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' },
          params: {
            datasets: [{ dataSetId: input.datasetId, ...(input.datasetName === undefined ? {} : { name: input.datasetName }) }],
          },
        },
        opts,
      ),
    getSourceConnection: (id: string, opts?: CallOptions): Promise<SourceConnection> =>
      getEntity('sourceConnection', id, SourceConnectionSchema, opts),
    deleteSourceConnection: (id: string, opts?: CallOptions): Promise<boolean> => remove('sourceConnection', id, opts),

    findTargetConnectionByName: (name: string, opts?: CallOptions): Promise<TargetConnection | null> =>
      findByName('targetConnection', name, TargetConnectionSchema, opts),
    createTargetConnection: (input: CreateTargetConnectionInput, opts?: CallOptions): Promise<EntityRef> =>
      create(
        'targetConnection',
        {
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          baseConnectionId: input.baseConnectionId,
          params: input.params,
          connectionSpec: { id: input.connectionSpecId, version: '1.0' },
        },
        opts,
      ),
    getTargetConnection: (id: string, opts?: CallOptions): Promise<TargetConnection> =>
      getEntity('targetConnection', id, TargetConnectionSchema, opts),
    deleteTargetConnection: (id: string, opts?: CallOptions): Promise<boolean> => remove('targetConnection', id, opts),

    findFlowByName: (name: string, opts?: CallOptions): Promise<Flow | null> => findByName('flow', name, FlowSchema, opts),
    createFlow: (input: CreateFlowInput, opts?: CallOptions): Promise<EntityRef> =>
      create(
        'flow',
        {
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          flowSpec: { id: input.flowSpecId, version: '1.0' },
          sourceConnectionIds: [input.sourceConnectionId],
          targetConnectionIds: [input.targetConnectionId],
          transformations: [],
          scheduleParams: input.scheduleParams,
        },
        opts,
      ),
    getFlow: (id: string, opts?: CallOptions): Promise<Flow> => getEntity('flow', id, FlowSchema, opts),
    deleteFlow: (id: string, opts?: CallOptions): Promise<boolean> => remove('flow', id, opts),

    listFlowsBySourceConnection: (sourceConnectionId: string, opts?: ListOptions): Promise<Flow[]> =>
      listEntities('flow', [`sourceConnectionIds[]==${sourceConnectionId}`], FlowSchema, { ...opts, limit: opts?.pageSize }),

    // ---- Flow lifecycle ------------------------------------------------------------------

    patchFlow,

    /** Replaces the whole scheduleParams object (send every field you want to keep). */
    updateFlowSchedule(flowId: string, scheduleParams: ScheduleParams, etag: string, opts?: CallOptions): Promise<EntityRef> {
      return patchFlow(flowId, [{ op: 'replace', path: '/scheduleParams', value: scheduleParams }], etag, opts);
    },

    enableFlow: (flowId: string, opts?: CallOptions): Promise<EntityRef> => flowAction(flowId, 'enable', opts),
    disableFlow: (flowId: string, opts?: CallOptions): Promise<EntityRef> => flowAction(flowId, 'disable', opts),

    // ---- Runs ----------------------------------------------------------------------------

    /**
     * Starts an ad hoc export of one dataset through a flow. Fails with kind `not_ready` during the
     * ~10 minutes after the flow was created or enabled, `conflict` when a run is already going.
     * Not retried after the request may have been applied: on an ambiguous error, list the
     * flow's runs before starting another.
     */
    async startAdhocDatasetRun(flowId: string, datasetId: string, opts?: CallOptions): Promise<AdhocRunStarted> {
      const call = { endpoint: 'adhocRun.create', area: 'destinations' as const, subject: 'ad hoc export run', ambiguous: true };
      const response = await send(
        {
          ...call,
          method: 'POST',
          path: ADHOC_RUN_PATH,
          accept: ADHOC_DATASET_ACCEPT,
          body: { activationInfo: { destinations: [{ flowId, datasets: [{ id: datasetId }] }] } },
          safety: 'create',
        },
        opts,
      );
      return parseAdhocRun(response, flowId, datasetId, call);
    },

    getRun: (runId: string, opts?: CallOptions): Promise<Run> => getEntity('run', runId, RunSchema, opts),

    /** Runs of a flow, newest first unless asked otherwise (first page only: at most `limit`). */
    listFlowRuns: (flowId: string, opts?: ListRunsOptions): Promise<Run[]> =>
      listEntities('run', [`flowId==${flowId}`], RunSchema, {
        ...opts,
        limit: opts?.limit ?? 20,
        orderBy: opts?.oldestFirst ? 'createdAt' : '-createdAt',
        maxPages: 1,
      }),

    /** `count=true` on a Flow Service collection, AND-ing the `property` filters. */
    async countObjects(kind: FlowServiceKind, properties: string[] = [], opts?: CallOptions): Promise<number> {
      const k = KINDS[kind];
      const call = { endpoint: `${k.endpoint}.count`, area: k.area, subject: k.subject };
      const query: [string, string][] = [['count', 'true'], ...properties.map((p): [string, string] => ['property', p])];
      const response = await send({ ...call, method: 'GET', path: `${FLOW_SERVICE}${k.path}`, query }, opts);
      return parseBody(CountEnvelopeSchema, response, call).count;
    },

    /** Closes the connection pools this client created (not shared ones, not the token cache). */
    async close(): Promise<void> {
      if (ownsPools) await pools.close();
    },
  };
}

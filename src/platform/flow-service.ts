// Flow Service (`/data/foundation/flowservice`, flow-service.yaml) in domain terms: the four
// objects of an export chain (base, source and target connections, flow; `createConnection`,
// `createSourceConnection`, `createTargetConnection`, `createFlow` and their retrieve, list and
// delete operations), flow lifecycle (`patchFlow`, `postStateTransition`) and the datasets an org
// may export (`configByConnectionSpecId`). Creates are never blindly retried; the caller finds
// objects by their deterministic name (`find*ByName`) after an ambiguous failure.
import type { CallOptions, Send } from './call-executor.js';
import { describedAs, FLOW_SERVICE, flowServiceEntities, specRef, type FlowPatchOperation, type FlowServiceEntities, type FlowServiceKind } from './flow-service-entities.js';
import { parseBody } from './responses.js';
import { DATA_LAKE_SOURCE_SPEC_ID } from './spec-ids.js';
import {
  BaseConnectionSchema,
  EntityRefSchema,
  ExportableDatasetPageSchema,
  FlowSchema,
  SourceConnectionSchema,
  TargetConnectionSchema,
  type BaseConnection,
  type EntityRef,
  type ExportableDatasetPage,
  type Flow,
  type ScheduleParams,
  type SourceConnection,
  type TargetConnection,
} from './types.js';

export type { FlowPatchOperation, FlowServiceKind } from './flow-service-entities.js';

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

/** The `createFlow` body; dataset exports carry no transformation, audience exports one. */
export function flowBody(input: CreateFlowInput, transformations: unknown[]) {
  return {
    name: input.name,
    ...describedAs(input.description),
    flowSpec: specRef(input.flowSpecId),
    sourceConnectionIds: [input.sourceConnectionId],
    targetConnectionIds: [input.targetConnectionId],
    transformations,
    scheduleParams: input.scheduleParams,
  };
}

export function flowServiceMethods(send: Send, entities: FlowServiceEntities = flowServiceEntities(send)) {
  const { get, findByName, create, remove, patch } = entities;

  /** `postStateTransition`: `POST /flows/{id}/action?op=enable|disable`. */
  async function flowAction(flowId: string, op: 'enable' | 'disable', opts?: CallOptions): Promise<EntityRef> {
    const call = { endpoint: `flows.${op}`, area: 'destinations' as const, subject: 'flow' };
    const response = await send({ ...call, method: 'POST', path: `${FLOW_SERVICE}/flows/${encodeURIComponent(flowId)}/action`, query: [['op', op]] }, opts);
    return parseBody(EntityRefSchema, response, call);
  }

  const patchFlow = (flowId: string, operations: FlowPatchOperation[], etag: string, opts?: CallOptions): Promise<EntityRef> =>
    patch('flow', flowId, operations, etag, opts);

  return {
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
      create('connection', { name: input.name, ...describedAs(input.description), auth: input.auth, connectionSpec: specRef(input.connectionSpecId) }, opts),
    getBaseConnection: (id: string, opts?: CallOptions): Promise<BaseConnection> => get('connection', id, BaseConnectionSchema, opts),
    /** JSON-Patch a base connection (e.g. replace `/auth` to rotate credentials) with If-Match. */
    patchBaseConnection: (id: string, operations: FlowPatchOperation[], etag: string, opts?: CallOptions): Promise<EntityRef> =>
      patch('connection', id, operations, etag, opts),
    deleteBaseConnection: (id: string, opts?: CallOptions): Promise<boolean> => remove('connection', id, opts),

    findSourceConnectionByName: (name: string, opts?: CallOptions): Promise<SourceConnection | null> =>
      findByName('sourceConnection', name, SourceConnectionSchema, opts),
    createSourceConnection: (input: CreateSourceConnectionInput, opts?: CallOptions): Promise<EntityRef> =>
      create(
        'sourceConnection',
        {
          name: input.name,
          ...describedAs(input.description),
          connectionSpec: specRef(DATA_LAKE_SOURCE_SPEC_ID),
          params: {
            datasets: [{ dataSetId: input.datasetId, ...(input.datasetName === undefined ? {} : { name: input.datasetName }) }],
          },
        },
        opts,
      ),
    getSourceConnection: (id: string, opts?: CallOptions): Promise<SourceConnection> => get('sourceConnection', id, SourceConnectionSchema, opts),
    deleteSourceConnection: (id: string, opts?: CallOptions): Promise<boolean> => remove('sourceConnection', id, opts),

    findTargetConnectionByName: (name: string, opts?: CallOptions): Promise<TargetConnection | null> =>
      findByName('targetConnection', name, TargetConnectionSchema, opts),
    createTargetConnection: (input: CreateTargetConnectionInput, opts?: CallOptions): Promise<EntityRef> =>
      create(
        'targetConnection',
        {
          name: input.name,
          ...describedAs(input.description),
          baseConnectionId: input.baseConnectionId,
          params: input.params,
          connectionSpec: specRef(input.connectionSpecId),
        },
        opts,
      ),
    getTargetConnection: (id: string, opts?: CallOptions): Promise<TargetConnection> => get('targetConnection', id, TargetConnectionSchema, opts),
    deleteTargetConnection: (id: string, opts?: CallOptions): Promise<boolean> => remove('targetConnection', id, opts),

    findFlowByName: (name: string, opts?: CallOptions): Promise<Flow | null> => findByName('flow', name, FlowSchema, opts),
    createFlow: (input: CreateFlowInput, opts?: CallOptions): Promise<EntityRef> => create('flow', flowBody(input, []), opts),
    getFlow: (id: string, opts?: CallOptions): Promise<Flow> => get('flow', id, FlowSchema, opts),
    deleteFlow: (id: string, opts?: CallOptions): Promise<boolean> => remove('flow', id, opts),

    listFlowsBySourceConnection: (sourceConnectionId: string, opts?: ListOptions): Promise<Flow[]> =>
      entities.list('flow', [`sourceConnectionIds[]==${sourceConnectionId}`], FlowSchema, { ...opts, limit: opts?.pageSize }),

    /** `count=true` on a Flow Service collection, AND-ing the `property` filters. */
    countObjects: (kind: FlowServiceKind, properties: string[] = [], opts?: CallOptions): Promise<number> => entities.count(kind, properties, opts),

    // ---- Flow lifecycle ------------------------------------------------------------------

    patchFlow,

    /** Replaces the whole scheduleParams object (send every field you want to keep). */
    updateFlowSchedule(flowId: string, scheduleParams: ScheduleParams, etag: string, opts?: CallOptions): Promise<EntityRef> {
      return patchFlow(flowId, [{ op: 'replace', path: '/scheduleParams', value: scheduleParams }], etag, opts);
    },

    enableFlow: (flowId: string, opts?: CallOptions): Promise<EntityRef> => flowAction(flowId, 'enable', opts),
    disableFlow: (flowId: string, opts?: CallOptions): Promise<EntityRef> => flowAction(flowId, 'disable', opts),
  };
}

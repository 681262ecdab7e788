// Flow Service's collections (flow-service.yaml: connections, sourceConnections,
// targetConnections, flows, runs) share one REST shape, so one set of generic calls serves them:
// get (`retrieveConnection`, `retrieveFlow`, ...), list with continuation tokens (`listConnections`,
// `listFlows`, `listFlowRuns`, ...), count (`count=true`), create (`createConnection`,
// `createFlow`, ...), delete (`deleteConnection`, `deleteByFlow`, ...) and JSON-Patch with If-Match
// (`patchConnection`, `patchFlow`). The endpoint labels (`flows.get`, `runs.list`, ...) are the
// metrics' labels.
import type { z } from 'zod';
import type { CallOptions, Send } from './call-executor.js';
import { sendEnding } from './ending-call.js';
import type { PlatformArea } from './errors.js';
import { allOfPages, pagesOf, type Page } from './paging.js';
import { parseBody, parseListPage, parseSingleEntity } from './responses.js';
import { CountEnvelopeSchema, EntityRefSchema, type EntityRef } from './types.js';

export const FLOW_SERVICE = '/data/foundation/flowservice';
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

/** One JSON-Patch operation as Flow Service takes it. */
export interface FlowPatchOperation {
  op: 'replace' | 'add' | 'remove';
  path: string;
  value?: unknown;
}

export interface EntityListOptions extends CallOptions {
  limit?: number;
  orderBy?: string;
  maxPages?: number;
}

/** `{ id, version: '1.0' }`, how every Flow Service body names a connection or flow spec. */
export const specRef = (id: string) => ({ id, version: '1.0' });

/** A body's `description` key, present only when a description is given. */
export const describedAs = (description: string | undefined) => (description === undefined ? {} : { description });

export type FlowServiceEntities = ReturnType<typeof flowServiceEntities>;

export function flowServiceEntities(send: Send) {
  const callOf = (kind: FlowServiceKind, action: string) => {
    const k = KINDS[kind];
    return { endpoint: `${k.endpoint}.${action}`, area: k.area, subject: k.subject };
  };
  const pathOf = (kind: FlowServiceKind, id?: string) => `${FLOW_SERVICE}${KINDS[kind].path}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;

  /** Lists every entity matching all `properties` filters, following continuation tokens. */
  async function list<S extends z.ZodType>(kind: FlowServiceKind, properties: string[], schema: S, opts?: EntityListOptions): Promise<z.infer<S>[]> {
    const call = callOf(kind, 'list');
    const readPage = async (continuationToken: string | undefined): Promise<Page<z.infer<S>, string>> => {
      const query: [string, string | number][] = properties.map((p) => ['property', p]);
      if (opts?.limit !== undefined) query.push(['limit', opts.limit]);
      if (opts?.orderBy !== undefined) query.push(['orderby', opts.orderBy]);
      if (continuationToken !== undefined) query.push(['continuationToken', continuationToken]);
      const response = await send({ ...call, method: 'GET', path: pathOf(kind), query }, opts);
      const parsed = parseListPage(schema, response, call);
      return { items: parsed.items, next: parsed.continuationToken };
    };
    return allOfPages(pagesOf(readPage, opts?.maxPages ?? MAX_LIST_PAGES));
  }

  async function get<S extends z.ZodType>(kind: FlowServiceKind, id: string, schema: S, opts?: CallOptions): Promise<z.infer<S>> {
    const call = callOf(kind, 'get');
    const response = await send({ ...call, method: 'GET', path: pathOf(kind, id) }, opts);
    return parseSingleEntity(schema, response, call);
  }

  /** The entity with exactly this name, or null. Oldest first when names repeat. */
  async function findByName<S extends z.ZodType<{ name?: string | undefined }>>(kind: FlowServiceKind, name: string, schema: S, opts?: CallOptions): Promise<z.infer<S> | null> {
    const items = await list(kind, [`name==${name}`], schema, opts);
    return items.find((item) => item.name === name) ?? null;
  }

  /** `count=true` on a collection, AND-ing the `property` filters. */
  async function count(kind: FlowServiceKind, properties: string[], opts?: CallOptions): Promise<number> {
    const call = callOf(kind, 'count');
    const query: [string, string][] = [['count', 'true'], ...properties.map((p): [string, string] => ['property', p])];
    const response = await send({ ...call, method: 'GET', path: pathOf(kind), query }, opts);
    return parseBody(CountEnvelopeSchema, response, call).count;
  }

  /**
   * Never blindly retried (`safety: 'create'`); the caller finds the object by its deterministic
   * name after an ambiguous failure. `permission` names the API's own permission in a 403.
   */
  async function create(kind: FlowServiceKind, body: unknown, opts?: CallOptions, permission?: string): Promise<EntityRef> {
    const call = { ...callOf(kind, 'create'), ambiguous: true, ...(permission === undefined ? {} : { permission }) };
    const response = await send({ ...call, method: 'POST', path: pathOf(kind), body, safety: 'create' }, opts);
    return parseBody(EntityRefSchema, response, call);
  }

  /** Deletes; true when deleted now, false when it was already gone (a replayed DELETE). */
  function remove(kind: FlowServiceKind, id: string, opts?: CallOptions): Promise<boolean> {
    return sendEnding(send, { ...callOf(kind, 'delete'), method: 'DELETE', path: pathOf(kind, id) }, opts);
  }

  /**
   * JSON-Patch a flow or a base connection (flow-service.yaml `PATCH /flows/{id}` and
   * `patchConnection`); `etag` is the entity's etag as read (quotes included) for the required
   * If-Match. A stale etag is answered 412, which the client reports as kind `conflict`.
   */
  async function patch(kind: 'flow' | 'connection', id: string, operations: FlowPatchOperation[], etag: string, opts?: CallOptions): Promise<EntityRef> {
    const call = callOf(kind, 'patch');
    const response = await send({ ...call, method: 'PATCH', path: pathOf(kind, id), body: operations, headers: { 'if-match': etag } }, opts);
    return parseBody(EntityRefSchema, response, call);
  }

  return { get, list, findByName, count, create, remove, patch };
}

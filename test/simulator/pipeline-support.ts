// Helpers of the simulator pipeline tests (pipeline-*.test.ts): HTTP calls validated against
// Adobe's specs with the deviations listed below (docs/simulator.md mirrors them), polling, and
// the multi-call setups several tests share (scores schema and dataset, batch ingestion).
import assert from 'node:assert/strict';
import { startSimulator, type StartSimulatorOptions, type TestSimulator } from '../support/simulator.js';
import { validatorFor, type PipelineSpec } from '../support/spec-validators.js';

export type { PipelineSpec } from '../support/spec-validators.js';

interface PipelineDeviation {
  file: PipelineSpec;
  side: 'request' | 'response';
  operationIds: string[];
  errors: RegExp;
  why: string;
}

/** Where the simulator knowingly differs from a spec; each is listed in docs/simulator.md. */
export const PIPELINE_DEVIATIONS = {
  batchStatusLoading: {
    file: 'batch-ingestion.yaml',
    side: 'response',
    operationIds: ['createBatch', 'completeBatch'],
    errors: /^\/status must be equal to one of the allowed values/,
    why: 'A new batch is `loading` (and an aborted one `aborted`) as Catalog reports it; batch-ingestion.yaml\'s Batch.status enum lacks both.',
  },
  batchInputFormatLowercase: {
    file: 'batch-ingestion.yaml',
    side: 'request',
    operationIds: ['createBatch'],
    errors: /^\/requestBody\/inputFormat\/format must be equal to one of the allowed values/,
    why: 'aepp and the batch ingestion docs send "json"; IngestBatch lists JSON/Parquet/CSV in upper case.',
  },
  descriptorSourceVersionInteger: {
    file: 'schema-registry.yaml',
    side: 'request',
    operationIds: ['createDescriptor'],
    errors: /^\/requestBody\/xdm:sourceVersion must be string/,
    why: 'The notebooks, aepp and the spec\'s own examples send "xdm:sourceVersion": 1; the schema types it string.',
  },
  descriptorSourceVersionIntegerResponse: {
    file: 'schema-registry.yaml',
    side: 'response',
    operationIds: ['createDescriptor'],
    errors: /^\/xdm:sourceVersion must be string/,
    why: 'The descriptor is returned as sent (the spec\'s example shows 1).',
  },
  schemaPatchValueArray: {
    file: 'schema-registry.yaml',
    side: 'request',
    operationIds: ['patchSchema'],
    errors: /^\/requestBody\/\d+\/value must be string/,
    why: 'aepp enables a schema for Profile with value ["union"]; patchSchema types `value` as a string.',
  },
} satisfies Record<string, PipelineDeviation>;

export type PipelineDeviationId = keyof typeof PIPELINE_DEVIATIONS;

export interface PipelineRequest {
  method: string;
  path: string;
  body?: unknown;
  /** Sent as is (with the caller's content-type) instead of JSON. */
  rawBody?: string;
  headers?: Record<string, string>;
  omitHeaders?: string[];
}

export interface PipelineCheck {
  deviations?: PipelineDeviationId[];
  skipRequest?: boolean;
  allowUndocumentedStatus?: boolean;
}

export interface Exchange<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
}

function excused(error: string, operationId: string | undefined, side: 'request' | 'response', spec: PipelineSpec, check: PipelineCheck): boolean {
  return (check.deviations ?? []).some((id) => {
    const deviation: PipelineDeviation = PIPELINE_DEVIATIONS[id];
    return deviation.file === spec && deviation.side === side && operationId !== undefined && deviation.operationIds.includes(operationId) && deviation.errors.test(error);
  });
}

/** Calls the simulator over HTTP and asserts request and response match `spec` (minus named deviations). */
export async function platform<Body = unknown>(sim: TestSimulator, spec: PipelineSpec, request: PipelineRequest, check: PipelineCheck = {}): Promise<Exchange<Body>> {
  const headers = await sim.headers(request.headers);
  for (const name of request.omitHeaders ?? []) delete headers[name.toLowerCase()];
  const hasBody = request.body !== undefined || request.rawBody !== undefined;
  if (!hasBody && !(request.headers !== undefined && 'content-type' in request.headers)) delete headers['content-type'];
  const response = await fetch(`${sim.url}${request.path}`, {
    method: request.method,
    headers,
    ...(hasBody ? { body: request.rawBody ?? JSON.stringify(request.body) } : {}),
  });
  const text = await response.text();
  const body = (text === '' ? undefined : JSON.parse(text)) as Body;

  const validator = await validatorFor(spec);
  const failures: string[] = [];
  if (check.skipRequest !== true) {
    const report = validator.validateRequest({ method: request.method, path: request.path, headers, ...(request.body === undefined ? {} : { body: request.body }) });
    failures.push(...report.errors.filter((e) => !excused(e, report.operationId, 'request', spec, check)).map((e) => `request: ${e}`));
  }
  const report = validator.validateResponse({ method: request.method, path: request.path }, { status: response.status, body }, { allowUndocumentedStatus: check.allowUndocumentedStatus === true });
  failures.push(...report.errors.filter((e) => !excused(e, report.operationId, 'response', spec, check)).map((e) => `response: ${e}`));
  assert.deepEqual(failures, [], `${request.method} ${request.path} -> ${response.status} vs ${spec}:\n${failures.join('\n')}\nbody: ${text.slice(0, 500)}`);
  return { status: response.status, body, headers: response.headers };
}

/** A simulator whose flows are ready at once and whose runs complete on the next read. */
export function startPipelineSimulator(options: StartSimulatorOptions = {}): Promise<TestSimulator> {
  return startSimulator({ seedUsers: 40, notReadySeconds: 0, runDurationSeconds: 0, ...options });
}

export interface PipelineSettingsPatch {
  queryStartDelayMs?: number;
  queryTimeoutMs?: number;
  queryMaxResultRows?: number;
  batchProcessingDelayMs?: number;
  segmentJobDelayMs?: number;
}

export async function setPipelineSettings(sim: TestSimulator, patch: PipelineSettingsPatch): Promise<Record<string, number>> {
  const response = await fetch(`${sim.url}/simulator/admin/pipeline`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Record<string, number>;
}

/** Polls `read` until `done` holds (tests stay fast: the simulator's fast profile finishes in ms). */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

// --- Query Service ---

export const QUERIES_PATH = '/data/foundation/query/queries';

export interface QueryBody {
  id: string;
  state: string;
  rowCount: number;
  isCTAS: boolean;
  isInsertInto: boolean;
  effectiveSQL: string;
  elapsedTime: number;
  errors: { code: string; message: string; errorType: string }[];
  _links: { created_dataset?: { id: string; href: string }; referenced_datasets?: { id: string; href: string }[] };
}

export async function submitQuery(sim: TestSimulator, body: Record<string, unknown>): Promise<QueryBody> {
  const created = await platform<QueryBody>(sim, 'query-service.yaml', { method: 'POST', path: QUERIES_PATH, body: { dbName: `${sim.sandbox}:all`, ...body } });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  assert.equal(created.body.state, 'SUBMITTED');
  return created.body;
}

export async function getQuery(sim: TestSimulator, id: string): Promise<QueryBody> {
  const result = await platform<QueryBody>(sim, 'query-service.yaml', { method: 'GET', path: `${QUERIES_PATH}/${id}` });
  assert.equal(result.status, 200);
  return result.body;
}

const TERMINAL = new Set(['SUCCESS', 'FAILED', 'KILLED', 'TIMEOUT']);

export function waitForQuery(sim: TestSimulator, id: string, until: (q: QueryBody) => boolean = (q) => TERMINAL.has(q.state)): Promise<QueryBody> {
  return pollUntil(() => getQuery(sim, id), until, `query ${id}`);
}

/** Submits and waits for a terminal state. */
export async function runQuery(sim: TestSimulator, body: Record<string, unknown>): Promise<QueryBody> {
  return waitForQuery(sim, (await submitQuery(sim, body)).id);
}

// --- Schema registry, Catalog, batch ingestion ---

export const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
export const REGISTRY = '/data/foundation/schemaregistry';
export const IMPORT = '/data/foundation/import';
export const CATALOG = '/data/foundation/catalog';

export interface ScoresDataset {
  tenantId: string;
  schemaId: string;
  datasetId: string;
}

/** The notebooks' Week 4 chain: tenant, field group, profile schema, ECID identity, union, dataset. */
export async function createScoresDataset(sim: TestSimulator, name = 'CMLE propensity scores'): Promise<ScoresDataset> {
  const stats = await platform<{ tenantId: string }>(sim, 'schema-registry.yaml', { method: 'GET', path: `${REGISTRY}/stats` });
  assert.equal(stats.status, 200);
  const tenant = `_${stats.body.tenantId}`;
  const fieldGroup = await platform<{ $id: string }>(sim, 'schema-registry.yaml', {
    method: 'POST',
    path: `${REGISTRY}/tenant/fieldgroups`,
    body: {
      title: `${name} field group`,
      description: 'Propensity scores',
      type: 'object',
      'meta:intendedToExtend': [PROFILE_CLASS],
      definitions: { customFields: { type: 'object', properties: { [tenant]: { type: 'object', properties: { propensity: { type: 'number' }, userid: { type: 'string' } } } } } },
      allOf: [{ $ref: '#/definitions/customFields' }],
    },
  });
  assert.equal(fieldGroup.status, 201, JSON.stringify(fieldGroup.body));
  const schema = await platform<{ $id: string; 'meta:altId': string }>(sim, 'schema-registry.yaml', {
    method: 'POST',
    path: `${REGISTRY}/tenant/schemas`,
    body: { title: `${name} schema`, description: 'Profile scores', type: 'object', allOf: [{ $ref: PROFILE_CLASS }, { $ref: fieldGroup.body.$id }] },
  });
  assert.equal(schema.status, 201, JSON.stringify(schema.body));
  const descriptor = await platform(
    sim,
    'schema-registry.yaml',
    {
      method: 'POST',
      path: `${REGISTRY}/tenant/descriptors`,
      body: {
        '@type': 'xdm:descriptorIdentity',
        'xdm:sourceSchema': schema.body.$id,
        'xdm:sourceVersion': 1,
        'xdm:sourceProperty': `/${tenant}/userid`,
        'xdm:namespace': 'ECID',
        'xdm:property': 'xdm:id',
        'xdm:isPrimary': true,
      },
    },
    { deviations: ['descriptorSourceVersionInteger', 'descriptorSourceVersionIntegerResponse'] },
  );
  assert.equal(descriptor.status, 201, JSON.stringify(descriptor.body));
  const union = await platform(sim, 'schema-registry.yaml', {
    method: 'PATCH',
    path: `${REGISTRY}/tenant/schemas/${schema.body['meta:altId']}`,
    body: [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }],
  }, { deviations: ['schemaPatchValueArray'] });
  assert.equal(union.status, 200, JSON.stringify(union.body));
  const dataset = await platform<string[]>(sim, 'catalog.yaml', {
    method: 'POST',
    path: `${CATALOG}/dataSets`,
    body: {
      name,
      schemaRef: { id: schema.body.$id, contentType: 'application/vnd.adobe.xed+json;version=1' },
      tags: { unifiedProfile: ['enabled:true'], unifiedIdentity: ['enabled:true'] },
      fileDescription: { persisted: true, containerFormat: 'parquet', format: 'parquet' },
    },
  });
  assert.equal(dataset.status, 201, JSON.stringify(dataset.body));
  const datasetId = dataset.body[0]?.split('/').at(-1);
  assert.ok(datasetId !== undefined && datasetId !== '');
  return { tenantId: stats.body.tenantId, schemaId: schema.body.$id, datasetId };
}

export interface BatchBody {
  id: string;
  status: string;
}

export type CatalogBatch = { status: string; recordCount?: number; failedRecordCount?: number; errors?: { code: string; description: string; rows?: string[] }[] };

export async function getCatalogBatch(sim: TestSimulator, batchId: string): Promise<CatalogBatch> {
  const result = await platform<Record<string, CatalogBatch>>(sim, 'catalog.yaml', { method: 'GET', path: `${CATALOG}/batches/${batchId}` });
  assert.equal(result.status, 200);
  const batch = result.body[batchId];
  assert.ok(batch !== undefined);
  return batch;
}

/** Create batch, upload each file, COMPLETE, and wait for Catalog's terminal status. */
export async function ingest(sim: TestSimulator, datasetId: string, files: Record<string, string>): Promise<{ batchId: string; batch: CatalogBatch }> {
  const created = await platform<BatchBody>(
    sim,
    'batch-ingestion.yaml',
    { method: 'POST', path: `${IMPORT}/batches`, body: { datasetId, inputFormat: { format: 'json', isMultiLineJson: true } } },
    { deviations: ['batchStatusLoading', 'batchInputFormatLowercase'] },
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.status, 'loading');
  for (const [fileName, content] of Object.entries(files)) {
    const upload = await platform(sim, 'batch-ingestion.yaml', {
      method: 'PUT',
      path: `${IMPORT}/batches/${created.body.id}/datasets/${datasetId}/files/${fileName}`,
      rawBody: content,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(upload.status, 201);
  }
  const completed = await platform<BatchBody>(sim, 'batch-ingestion.yaml', { method: 'POST', path: `${IMPORT}/batches/${created.body.id}?action=COMPLETE` });
  assert.equal(completed.status, 200, JSON.stringify(completed.body));
  const batch = await pollUntil(() => getCatalogBatch(sim, created.body.id), (b) => b.status === 'success' || b.status === 'failed', `batch ${created.body.id}`);
  return { batchId: created.body.id, batch };
}

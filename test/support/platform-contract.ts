// The Platform contract check: every request the service's Platform client sends to a test
// simulator (recognised by its User-Agent) is validated against Adobe's OpenAPI files before the
// simulator handles it, so every test that drives the client doubles as a contract test. The
// operation's own spec is used (destinations.yaml where it defines the call, else flow-service.yaml
// and the other files), and destinations.yaml's specific V2 schemas are applied where it has them
// (target connection params, dataset schedules, segment selectors), so a wrong shape fails even
// when the simulator would accept it. Contradictions inside Adobe's files are excused by the one
// list in contract-contradictions.ts (docs/simulator.md shows the same list). In `reject` mode a
// violation answers 400 at once, so the test that caused it fails with the reason.
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { PLATFORM_CLIENT_USER_AGENT } from '../../src/platform/http.js';
import type { InspectedRequest, RequestInspector } from '../../packages/stand-ins/src/simulator/app.js';
import { CONTRACT_CONTRADICTIONS, type ContractContradiction } from './contract-contradictions.js';
import type { SpecValidator } from './openapi.js';
import { validatorFor, type PipelineSpec } from './spec-validators.js';
import { ADOBE_SPEC_DIR } from './adobe-spec-dir.js';

export type ContractMode = 'reject' | 'record';

export interface CheckedRequest {
  method: string;
  path: string;
  spec: PipelineSpec | 'none';
  operationId: string | undefined;
  /** Contradictions of Adobe's files this request relied on. */
  excused: string[];
}

export interface ContractViolation extends CheckedRequest {
  errors: string[];
}

export interface PlatformContract {
  inspector: RequestInspector;
  /** Every client request checked so far (this simulator). */
  readonly checked: readonly CheckedRequest[];
  readonly violations: readonly ContractViolation[];
}

const SPEC_DIR = ADOBE_SPEC_DIR;
const S3_SPEC = '4fce964d-3f37-408f-9778-e597338a21ee';
const SFTP_SPEC = '36965a81-b1c6-401b-99f8-22508f1e6a26';

const PREFIXES: readonly [string, PipelineSpec][] = [
  ['/data/foundation/catalog', 'catalog.yaml'],
  ['/data/foundation/dataset', 'dataset-service.yaml'],
  ['/data/foundation/import', 'batch-ingestion.yaml'],
  ['/data/foundation/schemaregistry', 'schema-registry.yaml'],
  ['/data/core/ups', 'segmentation.yaml'],
  ['/data/foundation/query', 'query-service.yaml'],
  ['/data/foundation/dulepolicy', 'policy-service.yaml'],
  ['/data/core/activation/disflowprovider', 'ad-hoc-activation.yaml'],
];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(request: InspectedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** destinations.yaml's component schemas, compiled by name with Ajv. */
class V2Schemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    this.ajv.addSchema(document, 'destinations.yaml');
  }

  static async load(): Promise<V2Schemas> {
    return new V2Schemas(parseYaml(await readFile(new URL('destinations.yaml', SPEC_DIR), 'utf8')) as Json);
  }

  private ref(name: string): Json {
    return { $ref: `destinations.yaml#/components/schemas/${name}` };
  }

  private compile(key: string, schema: Json): ValidateFunction {
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private run(key: string, schema: Json, value: unknown, where: string): string[] {
    const validate = this.compile(key, schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e: ErrorObject) => `${where}${e.instancePath} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)} (${key})`);
  }

  /** Target connection params: the destination's own V2 params where the file has them, else Base + Dataset|Segment V2. */
  targetParams(connectionSpecId: string, params: unknown): string[] {
    if (connectionSpecId === S3_SPEC) return this.run('AmazonS3TargetConnectionParams_V2', this.ref('AmazonS3TargetConnectionParams_V2'), params, '/requestBody/params');
    if (connectionSpecId === SFTP_SPEC) return this.run('SFTPTargetConnectionParams_V2', this.ref('SFTPTargetConnectionParams_V2'), params, '/requestBody/params');
    const schema = {
      oneOf: [
        { allOf: [this.ref('BaseTargetConnectionParams_V2'), this.ref('DatasetTargetConnectionParams_V2')] },
        { allOf: [this.ref('BaseTargetConnectionParams_V2'), this.ref('SegmentTargetConnectionParams_V2')] },
      ],
    };
    return this.run('BaseTargetConnectionParams_V2 + Dataset|SegmentTargetConnectionParams_V2', schema, params, '/requestBody/params');
  }

  datasetSchedule(scheduleParams: unknown, where: string): string[] {
    return this.run('DatasetScheduleParams_V2', this.ref('DatasetScheduleParams_V2'), scheduleParams, where);
  }

  segmentSelector(selector: unknown, where: string): string[] {
    return this.run('BatchSegmentSelector_V2', this.ref('BatchSegmentSelector_V2'), selector, where);
  }
}

let v2Pending: Promise<V2Schemas> | undefined;
function v2Schemas(): Promise<V2Schemas> {
  v2Pending ??= V2Schemas.load();
  return v2Pending;
}

interface Routed {
  spec: PipelineSpec | 'none';
  /** Extra checks with destinations.yaml's V2 schemas. */
  v2?: (schemas: V2Schemas) => string[];
}

/** Which of Adobe's files defines this call, and which V2 schemas apply on top. */
async function route(method: string, path: string, body: unknown): Promise<Routed> {
  const bare = path.split('?', 1)[0] ?? path;
  if (bare.startsWith('/data/foundation/flowservice')) return routeFlowService(method, bare, body);
  const match = PREFIXES.find(([prefix]) => bare.startsWith(prefix));
  return { spec: match?.[1] ?? 'none' };
}

async function routeFlowService(method: string, bare: string, body: unknown): Promise<Routed> {
  const collection = bare.replace('/data/foundation/flowservice/', '').split('/')[0];
  const specId = isObject(body) && isObject(body.connectionSpec) && typeof body.connectionSpec.id === 'string' ? body.connectionSpec.id : undefined;
  if (method === 'POST' && collection === 'targetConnections') {
    const params = isObject(body) ? body.params : undefined;
    const onlyInDestinations = specId === S3_SPEC || specId === SFTP_SPEC;
    // destinations.yaml's postTargetConnection body lists only the S3 and SFTP requests; the other
    // destinations use flow-service.yaml's generic request, with the V2 params checked on top.
    return { spec: onlyInDestinations ? 'destinations.yaml' : 'flow-service.yaml', v2: (s) => (specId === undefined ? [] : s.targetParams(specId, params)) };
  }
  if (method === 'POST' && collection === 'connections') {
    return { spec: specId === S3_SPEC || specId === SFTP_SPEC ? 'destinations.yaml' : 'flow-service.yaml' };
  }
  if (method === 'POST' && collection === 'flows' && !bare.endsWith('/action')) {
    return {
      spec: 'destinations.yaml',
      v2: (s) => (isObject(body) && isObject(body.scheduleParams) && !isAudienceFlowBody(body) ? s.datasetSchedule(body.scheduleParams, '/requestBody/scheduleParams') : []),
    };
  }
  if (method === 'PATCH' && collection === 'flows') {
    return {
      spec: 'destinations.yaml',
      v2: (s) =>
        (Array.isArray(body) ? body : []).flatMap((op: unknown, index) => {
          if (!isObject(op) || typeof op.path !== 'string') return [];
          if (op.path.includes('/segmentSelectors/selectors')) return s.segmentSelector(op.value, `/requestBody/${index}/value`);
          if (op.path === '/scheduleParams') return s.datasetSchedule(op.value, `/requestBody/${index}/value`);
          return [];
        }),
    };
  }
  const destinations = (await validatorFor('destinations.yaml')) as SpecValidator;
  return { spec: destinations.operationFor(method, bare) === undefined ? 'flow-service.yaml' : 'destinations.yaml' };
}

/** An audience dataflow: its transformation carries segment selectors (a dataset flow has none). */
function isAudienceFlowBody(body: Json): boolean {
  return Array.isArray(body.transformations) && JSON.stringify(body.transformations).includes('segmentSelectors');
}

function excusedBy(error: string, spec: PipelineSpec | 'none', operationId: string | undefined, request: InspectedRequest): ContractContradiction | undefined {
  return CONTRACT_CONTRADICTIONS.find(
    (c) => c.file === spec && (c.operationIds.length === 0 || (operationId !== undefined && c.operationIds.includes(operationId))) && c.errors.test(error) && (c.when?.(request) ?? true),
  );
}

async function check(request: InspectedRequest): Promise<ContractViolation> {
  const path = request.url;
  const body = Buffer.isBuffer(request.body) ? undefined : request.body;
  const routed = await route(request.method, path, body);
  const base = { method: request.method, path, spec: routed.spec };
  if (routed.spec === 'none') {
    const contradiction = excusedBy('no spec defines this call', 'none', undefined, request);
    return { ...base, operationId: undefined, excused: contradiction ? [contradiction.id] : [], errors: contradiction ? [] : [`no Adobe spec defines ${request.method} ${path.split('?', 1)[0] ?? path}`] };
  }
  const validator = await validatorFor(routed.spec);
  const headers = Object.fromEntries(Object.entries(request.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]])));
  const report = validator.validateRequest({ method: request.method, path, headers, ...(body === undefined ? {} : { body }) });
  const v2 = routed.v2 === undefined ? [] : routed.v2(await v2Schemas());
  const excused = new Set<string>();
  const errors: string[] = [];
  for (const error of [...report.errors, ...v2]) {
    const contradiction = excusedBy(error, routed.spec, report.operationId, request);
    if (contradiction) excused.add(contradiction.id);
    else errors.push(error);
  }
  return { ...base, operationId: report.operationId, excused: [...excused], errors };
}

export function isPlatformClientRequest(request: InspectedRequest): boolean {
  return header(request, 'user-agent') === PLATFORM_CLIENT_USER_AGENT;
}

export function platformContract(mode: ContractMode = 'reject'): PlatformContract {
  const checked: CheckedRequest[] = [];
  const violations: ContractViolation[] = [];
  const inspector: RequestInspector = async (request) => {
    if (!isPlatformClientRequest(request)) return undefined;
    const result = await check(request);
    const { errors, ...entry } = result;
    checked.push(entry);
    if (errors.length === 0) return undefined;
    violations.push(result);
    const log = process.env.PLATFORM_CONTRACT_LOG;
    if (log !== undefined && log !== '') appendFileSync(log, `${JSON.stringify(result)}\n`);
    if (mode === 'record') return undefined;
    return {
      status: 400,
      body: { message: `Contract violation (Adobe's ${result.spec}, ${result.operationId ?? 'no operation'}): ${errors.join('; ')}` },
    };
  };
  return { inspector, checked, violations };
}

/** Exposed for the contract test: validates one request as the inspector would. */
export const checkPlatformRequest = check;

/** The V2 schema check alone, for the contract test's negative cases. */
export async function v2TargetParamsErrors(connectionSpecId: string, params: unknown): Promise<string[]> {
  return (await v2Schemas()).targetParams(connectionSpecId, params);
}

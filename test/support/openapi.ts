// Validates requests and responses against Adobe's OpenAPI specs in ../shared/adobe-openapi/
// with openapi-backend (Ajv underneath). Each spec's server base path (e.g.
// /data/foundation/flowservice) becomes the router's apiRoot, so callers pass the full paths the
// simulator serves.
import { readFile } from 'node:fs/promises';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';
import { ADOBE_SPEC_DIR } from './adobe-spec-dir.js';

export type SpecFile =
  | 'flow-service.yaml'
  | 'destinations.yaml'
  | 'dataset-service.yaml'
  | 'catalog.yaml'
  | 'ad-hoc-activation.yaml'
  | 'query-service.yaml'
  | 'batch-ingestion.yaml'
  | 'policy-service.yaml';

const SPEC_DIR = ADOBE_SPEC_DIR;

export interface RequestToValidate {
  method: string;
  /** Full path as served, e.g. /data/foundation/flowservice/flows/abc (a query string is allowed). */
  path: string;
  headers: Record<string, string>;
  query?: Record<string, string | string[]>;
  body?: unknown;
}

export interface ResponseToValidate {
  status: number;
  body: unknown;
}

export interface ValidationReport {
  operationId: string | undefined;
  /** Readable messages; empty when valid. */
  errors: string[];
}

export interface ResponseOptions {
  /** Accept a status the operation does not document (the caller lists it as a deviation). */
  allowUndocumentedStatus?: boolean;
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: unknown;
}

function describe(errors: readonly AjvLikeError[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath === undefined || e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'invalid'} ${JSON.stringify(e.params ?? {})}`);
}

function basePathOf(document: Document): string {
  const url = document.servers?.[0]?.url ?? '/';
  // Server urls look like https://{environment}.adobe.io/data/... or //{environment}.adobe.io/data/...
  const withoutScheme = url.replace(/^[a-z]+:/i, '').replace(/^\/\/[^/]*/, '');
  return withoutScheme === '' ? '/' : withoutScheme.replace(/\/$/, '');
}

function splitPath(path: string): { path: string; query: Record<string, string | string[]> } {
  const [bare, search] = path.split('?', 2);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search ?? '')) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return { path: bare ?? path, query };
}

export class SpecValidator {
  constructor(
    readonly file: SpecFile,
    readonly basePath: string,
    private readonly api: OpenAPIBackend,
  ) {}

  /** The operation a method and full path map to, if the spec defines one. */
  operationFor(method: string, fullPath: string): Operation | undefined {
    const { path } = splitPath(fullPath);
    return this.api.matchOperation({ method: method.toLowerCase(), path, headers: {} });
  }

  validateRequest(request: RequestToValidate): ValidationReport {
    const { path, query } = splitPath(request.path);
    const operation = this.operationFor(request.method, path);
    if (operation === undefined) return { operationId: undefined, errors: [`${this.file} defines no operation for ${request.method} ${path}`] };
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const result = this.api.validateRequest(
      { method: request.method.toLowerCase(), path, headers, query: { ...query, ...request.query }, body: request.body as object },
      operation,
    );
    return { operationId: operation.operationId, errors: describe(result.errors) };
  }

  validateResponse(request: Pick<RequestToValidate, 'method' | 'path'>, response: ResponseToValidate, options: ResponseOptions = {}): ValidationReport {
    const operation = this.operationFor(request.method, request.path);
    if (operation === undefined) return { operationId: undefined, errors: [`${this.file} defines no operation for ${request.method} ${request.path}`] };
    const documented = Object.keys(operation.responses ?? {});
    const status = String(response.status);
    const hasStatus = documented.includes(status) || documented.includes(`${status[0] ?? ''}XX`) || documented.includes('default');
    const errors: string[] = [];
    if (!hasStatus && options.allowUndocumentedStatus !== true) {
      errors.push(`${operation.operationId ?? '?'} documents no ${status} response (documented: ${documented.join(', ')})`);
    }
    if (hasStatus) errors.push(...describe(this.api.validateResponse(response.body, operation, response.status).errors));
    return { operationId: operation.operationId, errors };
  }
}

const cache = new Map<SpecFile, Promise<SpecValidator>>();

async function build(file: SpecFile): Promise<SpecValidator> {
  const document = parseYaml(await readFile(new URL(file, SPEC_DIR), 'utf8')) as Document;
  const basePath = basePathOf(document);
  // quick: Adobe's files carry a few structural defects (e.g. a mis-indented $ref in
  // destinations.yaml); skip validating the document itself, validate against its schemas.
  const api = new OpenAPIBackend({ definition: document, apiRoot: basePath, quick: true, strict: false, coerceTypes: true });
  await api.init();
  return new SpecValidator(file, basePath, api);
}

/** Loads (once per process) a validator for one of Adobe's spec files. */
export function loadSpec(file: SpecFile): Promise<SpecValidator> {
  let pending = cache.get(file);
  if (pending === undefined) {
    pending = build(file);
    cache.set(file, pending);
  }
  return pending;
}

/** Throws with every message when a report has errors. */
export function assertValid(report: ValidationReport, what: string): void {
  if (report.errors.length > 0) {
    throw new Error(`${what} does not match the spec (${report.operationId ?? 'no operation'}):\n  ${report.errors.join('\n  ')}`);
  }
}

// Validates exchanges against a Swagger 2.0 file (schema-registry.yaml is one; openapi-backend
// reads OpenAPI 3 only): local $refs are inlined (a property literally named "$ref" is a field,
// not a reference), the operation is found by path template, and the body parameter and the
// documented response schema are checked with Ajv.
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { RequestToValidate, ResponseOptions, ResponseToValidate, ValidationReport } from './openapi.js';
import { ADOBE_SPEC_DIR } from './adobe-spec-dir.js';

const SPEC_DIR = ADOBE_SPEC_DIR;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: unknown;
}

interface Operation {
  operationId?: string;
  parameters: Parameter[];
  responses: Record<string, { schema?: unknown }>;
}

interface PathEntry {
  template: string[];
  operations: Record<string, Operation>;
}

function resolvePointer(root: Json, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
}

/** Inlines local `$ref`s; `seen` stops recursive definitions (left as an open schema). */
function inline(root: Json, node: unknown, seen: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(node)) return node.map((item) => inline(root, item, seen));
  if (!isObject(node)) return node;
  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (seen.has(ref)) return {};
    return inline(root, resolvePointer(root, ref), new Set([...seen, ref]));
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples') continue;
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, inline(root, schema, seen)]));
    } else {
      out[key] = inline(root, value, seen);
    }
  }
  return out;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
}

export class Swagger2Validator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });

  private constructor(
    private readonly basePath: string,
    private readonly paths: PathEntry[],
  ) {
    addFormats.default(this.ajv);
  }

  static async load(file: string): Promise<Swagger2Validator> {
    const document = parseYaml(await readFile(new URL(file, SPEC_DIR), 'utf8')) as Json;
    const basePath = typeof document.basePath === 'string' ? document.basePath : '';
    const paths: PathEntry[] = [];
    for (const [template, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
      if (!isObject(item)) continue;
      const shared = Array.isArray(item.parameters) ? (inline(document, item.parameters) as Parameter[]) : [];
      const operations: Record<string, Operation> = {};
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const operation = item[method];
        if (!isObject(operation)) continue;
        const own = Array.isArray(operation.parameters) ? (inline(document, operation.parameters) as Parameter[]) : [];
        operations[method] = {
          ...(typeof operation.operationId === 'string' ? { operationId: operation.operationId } : {}),
          parameters: [...shared, ...own],
          responses: inline(document, operation.responses ?? {}) as Operation['responses'],
        };
      }
      paths.push({ template: template.split('/').filter((s) => s !== ''), operations });
    }
    return new Swagger2Validator(basePath, paths);
  }

  /** The operation for a full path; literal segments beat templated ones. */
  private match(method: string, fullPath: string): Operation | undefined {
    const bare = fullPath.split('?', 1)[0] ?? fullPath;
    if (!bare.startsWith(this.basePath)) return undefined;
    const segments = bare.slice(this.basePath.length).split('/').filter((s) => s !== '');
    const candidates = this.paths.filter((p) => p.template.length === segments.length && p.template.every((t, i) => t.startsWith('{') || t === segments[i]) && p.operations[method.toLowerCase()] !== undefined);
    candidates.sort((a, b) => b.template.filter((t) => !t.startsWith('{')).length - a.template.filter((t) => !t.startsWith('{')).length);
    return candidates[0]?.operations[method.toLowerCase()];
  }

  validateRequest(request: RequestToValidate): ValidationReport {
    const operation = this.match(request.method, request.path);
    if (operation === undefined) return { operationId: undefined, errors: [`no operation for ${request.method} ${request.path}`] };
    const headers = new Set(Object.keys(request.headers).map((h) => h.toLowerCase()));
    const errors: string[] = [];
    for (const parameter of operation.parameters) {
      if (parameter.in === 'header' && parameter.required === true && !headers.has(parameter.name.toLowerCase())) errors.push(`(header) must have required header ${parameter.name}`);
      if (parameter.in === 'body' && parameter.schema !== undefined) {
        const validate = this.ajv.compile(parameter.schema as object);
        if (!validate(request.body)) errors.push(...describe(validate.errors).map((e) => `/requestBody${e.startsWith('(root)') ? e.slice(6) : e}`));
      }
    }
    return { operationId: operation.operationId, errors };
  }

  validateResponse(request: Pick<RequestToValidate, 'method' | 'path'>, response: ResponseToValidate, options: ResponseOptions = {}): ValidationReport {
    const operation = this.match(request.method, request.path);
    if (operation === undefined) return { operationId: undefined, errors: [`no operation for ${request.method} ${request.path}`] };
    const documented = operation.responses[String(response.status)];
    if (documented === undefined) {
      return { operationId: operation.operationId, errors: options.allowUndocumentedStatus === true ? [] : [`${operation.operationId ?? '?'} documents no ${response.status} response`] };
    }
    if (documented.schema === undefined) return { operationId: operation.operationId, errors: [] };
    const validate = this.ajv.compile(documented.schema as object);
    return { operationId: operation.operationId, errors: validate(response.body) ? [] : describe(validate.errors) };
  }
}

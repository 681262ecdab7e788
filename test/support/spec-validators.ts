// One validator per Adobe spec file of ../shared/adobe-openapi, whatever its format:
// openapi-backend for the OpenAPI 3 files (segmentation.yaml without its examples, whose external
// `$ref`s break the dereferencer) and the tests' own Swagger 2.0 validator for
// schema-registry.yaml. Loaded once per process.
import { readFile } from 'node:fs/promises';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';
import { loadSpec, SpecValidator, type RequestToValidate, type ResponseOptions, type ResponseToValidate, type SpecFile, type ValidationReport } from './openapi.js';
import { Swagger2Validator } from './swagger2.js';
import { ADOBE_SPEC_DIR } from './adobe-spec-dir.js';

export type PipelineSpec =
  | 'query-service.yaml'
  | 'batch-ingestion.yaml'
  | 'catalog.yaml'
  | 'schema-registry.yaml'
  | 'segmentation.yaml'
  | 'ad-hoc-activation.yaml'
  | 'flow-service.yaml'
  | 'destinations.yaml'
  | 'dataset-service.yaml'
  | 'policy-service.yaml';

export interface Validator {
  validateRequest(request: RequestToValidate): ValidationReport;
  validateResponse(request: Pick<RequestToValidate, 'method' | 'path'>, response: ResponseToValidate, options?: ResponseOptions): ValidationReport;
}

const SPEC_DIR = ADOBE_SPEC_DIR;

/**
 * Drops examples and renames properties literally called "$ref": openapi-backend's dereferencer
 * follows the external `$ref`s in segmentation.yaml's examples and fails on them.
 */
function withoutExamples(node: unknown, inProperties = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutExamples(item));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!inProperties && (key === 'example' || key === 'examples')) continue;
    const name = inProperties && key === '$ref' ? 'x-ref-property' : key;
    out[name] = withoutExamples(value, !inProperties && key === 'properties');
  }
  return out;
}

async function loadWithoutExamples(spec: PipelineSpec): Promise<SpecValidator> {
  const document = withoutExamples(parseYaml(await readFile(new URL(spec, SPEC_DIR), 'utf8'))) as Document;
  const server = document.servers?.[0]?.url ?? '/';
  const basePath = server.replace(/^[a-z]+:/i, '').replace(/^\/\/[^/]*/, '').replace(/\/$/, '');
  const api = new OpenAPIBackend({ definition: document, apiRoot: basePath, quick: true, strict: false, coerceTypes: true });
  await api.init();
  return new SpecValidator(spec as SpecFile, basePath, api);
}

const ownLoads = new Map<PipelineSpec, Promise<Validator>>();

export function validatorFor(spec: PipelineSpec): Promise<Validator> {
  // schema-registry.yaml is Swagger 2.0, which openapi-backend cannot read; segmentation.yaml's
  // examples break its dereferencer.
  if (spec === 'schema-registry.yaml' || spec === 'segmentation.yaml') {
    let pending = ownLoads.get(spec);
    if (pending === undefined) {
      pending = spec === 'schema-registry.yaml' ? Swagger2Validator.load(spec) : loadWithoutExamples(spec);
      ownLoads.set(spec, pending);
    }
    return pending;
  }
  // loadSpec reads any file of ../shared/adobe-openapi; its SpecFile union predates these specs.
  return loadSpec(spec);
}


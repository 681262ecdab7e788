// Fuzzes every route and method of the app's own OpenAPI document (so a new route is fuzzed without
// being listed here) with the fixed corpus of test/security/fuzz-corpus.ts. Every answer must be a
// 4xx problem+json, or a 2xx where the input happens to be valid; never a 5xx. Prints the figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { bodyLimitBytes } from '../../src/app.js';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';
import { openRaw, parseAnswer } from '../support/raw-http.js';
import { corpusFor, type FuzzInput, type OperationUnderFuzz } from './fuzz-corpus.js';

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  default?: unknown;
}
interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const seed = 20261123;
let api: TestApi;
let doc: OpenApiDoc;
const ids = { destination: '', recurringExport: '', dataset: '', apiKey: '' };
const totals = { inputs: 0, operations: 0, paths: new Set<string>(), statuses: new Map<number, number>() };

before(async () => {
  // Lift the per-IP budget: the corpus sends many unauthenticated requests from one address.
  api = await startTestApi({ env: { RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000', RATE_LIMIT_PER_MINUTE: '1000000' } });
  doc = api.app.swagger() as unknown as OpenApiDoc;
  ids.dataset =
    generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0).find((d) => d.key === 'experience-events')?.id ??
    assert.fail('no seeded dataset');
  ids.destination = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.s3)).id;
  const exportRes = await api.post(api.keys.tenantA, '/exports', { ...exportBody(), schedule: { every: 'PT3H' } });
  assert.equal(exportRes.statusCode, 202, exportRes.body);
  ids.recurringExport = bodyOf<{ id: string }>(exportRes).id;
  const keyRes = await api.post(api.keys.adminA, `/admin/tenants/${api.tenantB.id}/api-keys`, { name: 'fuzz target' });
  ids.apiKey = bodyOf<{ id: string }>(keyRes).id;
});
after(async () => {
  await api?.close();
});

function exportBody() {
  return { datasetId: ids.dataset, destinationId: ids.destination, path: 'ml/fuzz', format: 'parquet', compression: 'gzip', callbackUrl: 'https://hooks.example.com/fuzz' };
}

/** Bodies the routes accept, the baseline each fault is applied to. */
function knownValidBody(method: string, path: string): unknown {
  switch (`${method} ${path}`) {
    case 'POST /admin/tenants':
      return {
        name: 'fuzz-tenant',
        platform: { target: 'simulator', imsOrgId: api.simulator.orgId, sandbox: 'prod', clientId: api.simulator.clientId, clientSecret: 'fake-fuzz-client-secret', scopes: ['openid'] },
        allowSensitiveLabels: false,
        apiKey: { name: 'first', role: 'tenant' },
      };
    case 'POST /admin/tenants/{id}/api-keys':
      return { name: 'fuzz key', role: 'tenant' };
    case 'POST /admin/api-keys/{id}/rotate':
      return { overlapSeconds: 0 };
    case 'POST /destinations':
      return fakeDestinationBodies.s3;
    case 'POST /exports':
      return { ...exportBody(), schedule: { every: 'PT3H', startAt: '2031-01-01T00:00:00Z' } };
    case 'PATCH /exports/{id}':
      return { schedule: { every: 'P1D', startAt: '2031-01-01T00:00:00Z' } };
    default:
      return undefined;
  }
}

/** A minimal valid-looking value for a JSON schema: for routes added later without a known body. */
function sampleOf(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (schema.$ref) return sampleOf(doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''], depth + 1);
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (variant) return sampleOf(variant, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sampleOf(schema.properties?.[key], depth + 1)]));
    case 'array':
      return [sampleOf(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'uuid' ? '3f1c2b7e-9d4a-4c1e-8b5f-0a6d7e8f9c01' : schema.format === 'date-time' ? '2031-01-01T00:00:00Z' : 'fuzz';
    case undefined:
    default:
      return null;
  }
}

function idFor(path: string): string {
  if (path.startsWith('/admin/tenants/{id}')) return api.tenantB.id;
  if (path.startsWith('/admin/api-keys/{id}')) return ids.apiKey;
  if (path.startsWith('/destinations/{id}')) return ids.destination;
  if (path.startsWith('/exports/{id}')) return ids.recurringExport;
  if (path.startsWith('/datasets/{id}')) return ids.dataset;
  return '3f1c2b7e-9d4a-4c1e-8b5f-0a6d7e8f9c01';
}

function operations(): OperationUnderFuzz[] {
  const ops: OperationUnderFuzz[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const upper = method.toUpperCase();
      const params = operation.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      const url = pathParams.reduce((u, name) => u.replace(`{${name}}`, idFor(path)), path);
      const bodySchema = operation.requestBody?.content['application/json']?.schema;
      const validBody = knownValidBody(upper, path) ?? (bodySchema ? sampleOf(bodySchema) : undefined);
      ops.push({
        method: upper,
        path,
        url,
        pathParams,
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: operation.requestBody !== undefined,
        ...(validBody === undefined ? {} : { validBody }),
        idempotent: params.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
      });
    }
  }
  return ops;
}

function keyFor(path: string): string {
  return path.startsWith('/admin/') ? api.keys.adminA : api.keys.tenantA;
}

/** Why an answer breaks the contract, or null. */
function violation(input: FuzzInput, res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (input.expect !== undefined && res.statusCode !== input.expect) return `expected ${input.expect}, got ${res.statusCode}: ${res.body.slice(0, 200)}`;
  if (res.statusCode >= 400) {
    if (!String(res.headers['content-type']).startsWith('application/problem+json')) return `${res.statusCode} without problem+json (${String(res.headers['content-type'])})`;
    try {
      const problem = JSON.parse(res.body) as { status?: unknown; code?: unknown };
      if (problem.status !== res.statusCode || typeof problem.code !== 'string') return `problem body does not match its status: ${res.body.slice(0, 200)}`;
    } catch {
      return 'problem body is not JSON';
    }
  }
  return null;
}

async function send(input: FuzzInput, key: string | null): Promise<LightMyRequestResponse> {
  return api.app.inject({
    method: input.method as 'GET',
    url: input.url,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...input.headers },
    ...(input.payload === undefined ? {} : { payload: input.payload }),
  });
}

describe('fuzz: every route of the OpenAPI document', () => {
  test('the document lists the routes to fuzz', () => {
    const ops = operations();
    assert.ok(ops.length >= 18, `found ${ops.length} operations`);
    assert.ok(ops.some((o) => o.method === 'POST' && o.path === '/exports' && o.idempotent));
  });

  test('fixed bugs stay fixed: NUL and lone surrogates are a 400 naming the field, emoji are fine', async () => {
    const post = (json: string) => api.app.inject({ method: 'POST', url: '/destinations', headers: { authorization: `Bearer ${api.keys.tenantA}`, 'content-type': 'application/json' }, payload: json });
    for (const name of ['"a\\u0000b"', '"x\\ud800y"', '"\\udc00"']) {
      const res = await post(`{"type":"dlz","name":${name},"params":{}}`);
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(bodyOf<{ errors: { pointer: string }[] }>(res).errors.map((e) => e.pointer), ['/name']);
    }
    const nulKey = await post('{"type":"dlz","name":"n","params":{"a\\u0000":1}}');
    assert.equal(nulKey.statusCode, 400, nulKey.body);
    const emoji = await post('{"type":"dlz","name":"\\ud83e\\udd84 unicorn \\\\u0000 literal","params":{}}');
    assert.equal(emoji.statusCode, 201, emoji.body);
    assert.equal(bodyOf<{ name: string }>(emoji).name, '🦄 unicorn \\u0000 literal');
    // Router errors are problem+json too.
    for (const url of ['/destinations/%ZZ', `/destinations/${'x'.repeat(500)}`]) {
      const res = await api.get(api.keys.tenantA, url);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    }
  });

  test('every input answers 4xx problem+json (or 2xx when valid), never 5xx', async (t) => {
    const failures: string[] = [];
    for (const op of operations()) {
      const corpus: FuzzInput[] = [
        ...corpusFor(op, { bodyLimitBytes, seed }),
        { label: 'no API key', method: op.method, url: op.url },
        { label: 'unknown API key', method: op.method, url: op.url, headers: { authorization: 'Bearer aepj_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
        { label: 'malformed Authorization', method: op.method, url: op.url, headers: { authorization: 'Bearer \u00e9\u00e9 ' + 'z'.repeat(4000) } },
      ];
      const publicRoute = op.path === '/healthz' || op.path === '/readyz';
      for (const input of corpus) {
        const auth = input.label.endsWith('API key') || input.label === 'malformed Authorization' ? null : keyFor(op.path);
        const expected = !publicRoute && (input.label === 'no API key' || input.label === 'unknown API key' || input.label === 'malformed Authorization') ? 401 : input.expect;
        const res = await send(input, auth);
        totals.inputs++;
        totals.statuses.set(res.statusCode, (totals.statuses.get(res.statusCode) ?? 0) + 1);
        const problem = violation({ ...input, ...(expected === undefined ? {} : { expect: expected }) }, res);
        if (problem) failures.push(`${op.method} ${op.path} [${input.label}] ${problem}`);
      }
      totals.operations++;
      totals.paths.add(op.path);
    }
    const byStatus = [...totals.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    const figure = `fuzz: ${totals.inputs} inputs across ${totals.operations} operations on ${totals.paths.size} paths; statuses ${byStatus}; ${failures.length} violations`;
    t.diagnostic(figure);
    console.log(figure);
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} violations`);
    assert.ok(![...totals.statuses.keys()].some((s) => s >= 500), 'no 5xx');
  });

  test('what Node refuses before a route runs is problem+json too: oversized headers, long URLs, bodies over the limit, malformed HTTP', async (t) => {
    // Over a real socket: app.inject bypasses Node's HTTP parser, where these are refused.
    const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
    // Connection: close, so the server ends the socket after an answer Fastify sends itself.
    const auth = `Authorization: Bearer ${api.keys.tenantA}\r\nConnection: close\r\n`;
    const cases: { label: string; request: string; status: number; code: string }[] = [
      { label: 'one header of 20 KB', request: `GET /tenant HTTP/1.1\r\nHost: a\r\n${auth}X-Big: ${'h'.repeat(20_000)}\r\n\r\n`, status: 431, code: 'headers_too_large' },
      {
        label: '400 headers of 60 bytes',
        request: `GET /tenant HTTP/1.1\r\nHost: a\r\n${auth}${Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(50)}\r\n`).join('')}\r\n`,
        status: 431,
        code: 'headers_too_large',
      },
      { label: 'a URL of 20 KB (over Node\'s limit)', request: `GET /exports?cursor=${'c'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n${auth}\r\n`, status: 414, code: 'uri_too_long' },
      { label: 'a URL of 10 KB (over ours)', request: `GET /exports?cursor=${'c'.repeat(10_000)} HTTP/1.1\r\nHost: a\r\n${auth}\r\n`, status: 414, code: 'uri_too_long' },
      {
        label: 'a body over the limit',
        request: `POST /destinations HTTP/1.1\r\nHost: a\r\n${auth}Content-Type: application/json\r\nContent-Length: ${bodyLimitBytes + 10}\r\n\r\n{"a":"`,
        status: 413,
        code: 'payload_too_large',
      },
      { label: 'a malformed request line', request: 'GET\x01/tenant HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, code: 'validation_error' },
      { label: 'a header without a colon', request: `GET /tenant HTTP/1.1\r\nHost: a\r\n${auth}not a header\r\n\r\n`, status: 400, code: 'validation_error' },
      { label: 'conflicting Content-Length', request: `POST /destinations HTTP/1.1\r\nHost: a\r\n${auth}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, status: 400, code: 'validation_error' },
      { label: 'not HTTP at all', request: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n', status: 400, code: 'validation_error' },
    ];
    const failures: string[] = [];
    for (const c of cases) {
      const exchange = await openRaw(url, c.request);
      const { text } = await exchange.closed(10_000);
      const answer = parseAnswer(text);
      let problem: { status?: unknown; code?: unknown } = {};
      try {
        problem = JSON.parse(answer.body) as typeof problem;
      } catch {
        // reported below
      }
      const ok =
        answer.status === c.status &&
        /^application\/problem\+json/.test(answer.headers['content-type'] ?? '') &&
        problem.status === c.status &&
        problem.code === c.code;
      if (!ok) failures.push(`${c.label}: ${text.slice(0, 300)}`);
    }
    t.diagnostic(`client-error path: ${cases.length} raw requests`);
    assert.deepEqual(failures, []);
  });
});

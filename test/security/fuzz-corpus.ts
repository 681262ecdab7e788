// The fixed, seeded corpus of bad inputs the fuzz test sends to every route: malformed JSON, wrong
// content types, wrong types per field, missing and extra fields, huge strings, bodies over the
// limit, deep nesting, odd unicode (NUL, lone surrogates, RTL, emoji, overlong UTF-8), path params
// that are not ids and query params out of range. Every input is deterministic for one seed.

/** One request of the corpus; `expect` narrows the acceptable status when the input demands one. */
export interface FuzzInput {
  label: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  expect?: number;
}

export interface OperationUnderFuzz {
  method: string;
  /** OpenAPI path, e.g. /exports/{id}. */
  path: string;
  /** The URL with valid path parameters. */
  url: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  /** A body the route accepts, mutated one fault at a time. */
  validBody?: unknown;
  idempotent: boolean;
}

/** mulberry32: a tiny seeded PRNG, so the "random" strings are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const json = 'application/json';

/** Text that is not JSON, sent as application/json. */
const malformedJson = [
  '{',
  '}',
  '{"a":',
  '[1,2',
  '{"a":1,}',
  "{'a':1}",
  'nul',
  'undefined',
  '{"a":1}{"b":2}',
  '{"a":01}',
  'NaN',
  '{"a":Infinity}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"unterminated}',
  '{a:1}',
  '\u0000',
  ' ',
  '',
  '\ufeff{}',
];

const wrongContentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/jsonx',
  'invalid/',
  ';;;',
];

/** Values of every JSON type, so each field gets at least one of the wrong type. */
const wrongTypedValues: unknown[] = [null, 0, -1, 1.5, 1e308, true, '', 'x', [], [1, 'a'], {}, { nested: { deeper: true } }];

/** Odd strings put in every string field (as JSON text, so lone surrogates stay lone). */
const oddUnicodeJson: { label: string; jsonText: string }[] = [
  { label: 'NUL', jsonText: '"a\\u0000b"' },
  { label: 'raw control characters', jsonText: '"a\\u0001\\u001f\\u007fb"' },
  { label: 'lone high surrogate', jsonText: '"x\\ud800y"' },
  { label: 'lone low surrogate', jsonText: '"\\udc00"' },
  { label: 'reversed surrogate pair', jsonText: '"\\udc00\\ud800"' },
  { label: 'RTL override', jsonText: '"\\u202eabc\\u202c"' },
  { label: 'emoji', jsonText: '"🦄💥👩‍👩‍👧"' },
  { label: 'zero-width and BOM', jsonText: '"\\u200b\\ufeff\\u2060"' },
  { label: 'combining marks', jsonText: '"e\\u0301\\u0301\\u0301"' },
  { label: 'full-width', jsonText: '"ｅｘｐｏｒｔ"' },
  { label: 'line separators', jsonText: '"a\\u2028b\\u2029c\\r\\n"' },
  { label: 'unassigned and private use', jsonText: '"\\uffff\\ue000\\udbff\\udfff"' },
];

/** Raw bytes that are not valid UTF-8, spliced into a string value. */
const invalidUtf8: { label: string; bytes: number[] }[] = [
  { label: 'overlong slash (C0 AF)', bytes: [0xc0, 0xaf] },
  { label: 'overlong NUL (C0 80)', bytes: [0xc0, 0x80] },
  { label: 'bare continuation byte', bytes: [0x80] },
  { label: 'FF byte', bytes: [0xff, 0xfe] },
  { label: 'truncated sequence', bytes: [0xe2, 0x82] },
  { label: 'encoded surrogate (ED A0 80)', bytes: [0xed, 0xa0, 0x80] },
];

const badPathParams = [
  'not-a-uuid',
  '0',
  '-1',
  '%00',
  '%2e%2e%2f%2e%2e%2fetc',
  '..%2F..%2F',
  'x'.repeat(5000),
  '00000000-0000-0000-0000-00000000000g',
  '00000000-0000-0000-0000-0000000000000',
  '%F0%9F%A6%84',
  '%E2%80%AE',
  '%ZZ',
  '%C0%AF',
  "'%20OR%201=1--",
  '%24%7Bjndi:ldap:%2F%2Fx%7D',
  'null',
  '[]',
];

const badQueryValues = ['', '-1', '0', '101', '1e309', 'NaN', 'abc', '%00', 'x'.repeat(5000), '1.5', '99999999999999999999999', '%E2%80%AE', '%C0%AF', 'true'];

export const deepNesting = 10_000;

function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** JSON text of `body` with the value at `path` replaced by raw JSON text. */
function withRawValue(body: unknown, path: string[], rawJson: string): string {
  const marker = '__FUZZ_MARKER_7f3a__';
  const copy = structuredClone(body) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path.at(-1)!] = marker;
  return JSON.stringify(copy).replace(`"${marker}"`, () => rawJson);
}

function without(body: unknown, path: string[]): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path.at(-1)!];
  return copy;
}

/** Every field path of a body, objects included, down to `maxDepth`. */
function fieldPaths(body: unknown, maxDepth = 3, prefix: string[] = []): { path: string[]; value: unknown }[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || prefix.length >= maxDepth) return [];
  return Object.entries(body as Record<string, unknown>).flatMap(([key, value]) => [
    { path: [...prefix, key], value },
    ...fieldPaths(value, maxDepth, [...prefix, key]),
  ]);
}

/** The whole corpus for one operation. */
export function corpusFor(op: OperationUnderFuzz, opts: { bodyLimitBytes: number; seed: number }): FuzzInput[] {
  const inputs: FuzzInput[] = [];
  const add = (label: string, input: Omit<FuzzInput, 'label' | 'method'> & { method?: string }) =>
    inputs.push({ label, method: input.method ?? op.method, ...input });
  const validJson = op.validBody === undefined ? undefined : JSON.stringify(op.validBody);
  const random = seededRandom(opts.seed);

  if (op.hasBody) {
    for (const text of malformedJson) add(`malformed JSON ${JSON.stringify(text.slice(0, 20))}`, { url: op.url, headers: { 'content-type': json }, payload: text });
    for (const type of wrongContentTypes) add(`content-type ${type}`, { url: op.url, headers: { 'content-type': type }, payload: validJson ?? '{}' });
    add('no content-type', { url: op.url, payload: Buffer.from(validJson ?? '{}') });
    for (const value of wrongTypedValues) add(`whole body ${JSON.stringify(value)}`, { url: op.url, headers: { 'content-type': json }, payload: JSON.stringify(value) });
    add('deep array body', { url: op.url, headers: { 'content-type': json }, payload: deepArray(deepNesting) });
    add('deep object body', { url: op.url, headers: { 'content-type': json }, payload: deepObject(deepNesting) });
    add('body over the limit', { url: op.url, headers: { 'content-type': json }, payload: JSON.stringify({ pad: 'x'.repeat(opts.bodyLimitBytes + 1024) }), expect: 413 });
    add('huge declared length', { url: op.url, headers: { 'content-type': json, 'content-length': String(opts.bodyLimitBytes * 100) }, payload: '{}', expect: 413 });
    add('prototype pollution __proto__', { url: op.url, headers: { 'content-type': json }, payload: `{"__proto__":{"admin":true},"a":1}` });
    add('prototype pollution constructor', { url: op.url, headers: { 'content-type': json }, payload: `{"constructor":{"prototype":{"admin":true}}}` });
    add('duplicate keys', { url: op.url, headers: { 'content-type': json }, payload: `{"a":1,"a":2}` });
    if (op.validBody !== undefined && typeof op.validBody === 'object' && op.validBody !== null) {
      add('extra field', { url: op.url, headers: { 'content-type': json }, payload: JSON.stringify({ ...op.validBody, fuzzExtra: 1 }) });
      add('extra __proto__ field', { url: op.url, headers: { 'content-type': json }, payload: withRawValue({ ...op.validBody, z: 0 }, ['z'], '0').replace('"z":0', '"__proto__":{"isAdmin":true}') });
      for (const { path, value } of fieldPaths(op.validBody)) {
        const name = path.join('.');
        add(`missing ${name}`, { url: op.url, headers: { 'content-type': json }, payload: JSON.stringify(without(op.validBody, path)) });
        for (const wrong of wrongTypedValues) {
          if (JSON.stringify(wrong) === JSON.stringify(value)) continue;
          add(`${name} = ${JSON.stringify(wrong).slice(0, 30)}`, { url: op.url, headers: { 'content-type': json }, payload: withRawValue(op.validBody, path, JSON.stringify(wrong)) });
        }
        add(`${name} deeply nested`, { url: op.url, headers: { 'content-type': json }, payload: withRawValue(op.validBody, path, deepObject(deepNesting)) });
        add(`${name} huge string`, { url: op.url, headers: { 'content-type': json }, payload: withRawValue(op.validBody, path, JSON.stringify('y'.repeat(opts.bodyLimitBytes - 4096))) });
        if (typeof value === 'string') {
          for (const odd of oddUnicodeJson) add(`${name} ${odd.label}`, { url: op.url, headers: { 'content-type': json }, payload: withRawValue(op.validBody, path, odd.jsonText) });
          for (const bad of invalidUtf8) {
            const text = withRawValue(op.validBody, path, '"__BYTES__"');
            const [before, after] = text.split('__BYTES__') as [string, string];
            add(`${name} ${bad.label}`, { url: op.url, headers: { 'content-type': json }, payload: Buffer.concat([Buffer.from(before), Buffer.from(bad.bytes), Buffer.from(after)]) });
          }
          // A seeded random string over the whole BMP (surrogates included).
          const chars = Array.from({ length: 64 }, () => `\\u${Math.floor(random() * 0x10000).toString(16).padStart(4, '0')}`).join('');
          add(`${name} seeded random unicode`, { url: op.url, headers: { 'content-type': json }, payload: withRawValue(op.validBody, path, `"${chars}"`) });
        }
      }
    }
  } else {
    add('unexpected JSON body', { url: op.url, headers: { 'content-type': json }, payload: '{"unexpected":true}' });
    add('unexpected malformed body', { url: op.url, headers: { 'content-type': json }, payload: '{' });
    add('unexpected body over the limit', { url: op.url, headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(opts.bodyLimitBytes + 1024) });
  }

  const bodyArgs = op.hasBody ? { headers: { 'content-type': json }, payload: validJson ?? '{}' } : {};
  for (const param of op.pathParams) {
    for (const bad of badPathParams) add(`path ${param} = ${bad.slice(0, 30)}`, { url: op.path.replace(`{${param}}`, bad).replace(/\{[^}]+\}/g, 'x'), ...bodyArgs });
    add(`path ${param} = unknown uuid`, { url: op.path.replace(`{${param}}`, '3f1c2b7e-9d4a-4c1e-8b5f-0a6d7e8f9c01').replace(/\{[^}]+\}/g, 'x'), ...bodyArgs });
  }
  for (const param of op.queryParams) {
    for (const bad of badQueryValues) add(`query ${param} = ${bad.slice(0, 30)}`, { url: `${op.url}?${param}=${bad}`, ...bodyArgs });
    add(`query ${param} repeated`, { url: `${op.url}?${param}=1&${param}=2`, ...bodyArgs });
    add(`query ${param}[]`, { url: `${op.url}?${param}[]=1&${param}[x]=2`, ...bodyArgs });
  }
  add('unknown query parameter', { url: `${op.url}?fuzzUnknown=1`, ...bodyArgs });
  add('huge query string', { url: `${op.url}?${'q'.repeat(2000)}=${'v'.repeat(60_000)}`, ...bodyArgs });
  if (op.idempotent) {
    for (const bad of ['k'.repeat(256), 'clé', '']) add(`Idempotency-Key ${JSON.stringify(bad.slice(0, 10))}`, { url: op.url, ...bodyArgs, headers: { ...(bodyArgs.headers ?? {}), 'idempotency-key': bad }, expect: 400 });
  }
  return inputs;
}

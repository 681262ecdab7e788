// src/client/schema.d.ts is exactly what openapi-typescript makes of openapi/openapi.json, and the
// typed client built on it talks to the API. Run `npm run client:generate` when the first fails.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { clientSchemaFile, renderClientSchema } from '../../scripts/generate-client.js';
import { ApiError, createApiClient, dataOrThrow } from '../../src/client/api-client.js';
import { startTestApi, type TestApi } from '../support/api.js';

test('src/client/schema.d.ts matches openapi/openapi.json (run `npm run client:generate` when it does not)', async () => {
  assert.equal(await readFile(clientSchemaFile, 'utf8'), await renderClientSchema());
});

describe('the typed client', () => {
  let api: TestApi;
  let baseUrl: string;
  before(async () => {
    api = await startTestApi();
    baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => api?.close());

  test('lists exports and turns a problem into an ApiError', async () => {
    const client = createApiClient({ baseUrl, apiKey: api.keys.tenantA });
    const page = dataOrThrow(await client.GET('/exports', { params: { query: { limit: 5 } } }));
    assert.deepEqual(page, { items: [], nextCursor: null });
    const missing = await client.GET('/exports/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    assert.throws(() => dataOrThrow(missing), (error: unknown) => error instanceof ApiError && error.status === 404 && error.problem?.code === 'not_found');
    const anonymous = createApiClient({ baseUrl, apiKey: 'aepj_not_a_real_key' });
    await assert.rejects(async () => dataOrThrow(await anonymous.GET('/exports', {})), (error: unknown) => error instanceof ApiError && error.status === 401);
  });
});

// Swagger UI shows real examples: every route with a JSON body has examples in the OpenAPI
// document (from src/http/api-examples.ts), and each one, sent as it is, passes the route's
// validation (it may still name an id this database does not have: 404, never 400 or 415).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { requestBodyExamples } from '../../src/http/api-examples.js';
import { startTestApi, type HttpCall, type TestApi } from '../support/api.js';

interface Operation {
  requestBody?: { content?: Record<string, { examples?: Record<string, { value: unknown }> }> };
}

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api.close();
});

describe('request examples', () => {
  test('every route with a JSON body has examples in the OpenAPI document', () => {
    const doc = api.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> };
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const media = operation.requestBody?.content?.['application/json'];
        if (media && Object.keys(media.examples ?? {}).length === 0) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  for (const [route, examples] of Object.entries(requestBodyExamples)) {
    for (const [name, example] of Object.entries(examples)) {
      test(`${route} "${name}" passes validation`, async () => {
        const [method, path] = route.split(' ') as [HttpCall['method'], string];
        const key = path.startsWith('/admin/') ? api.keys.adminA : api.keys.tenantA;
        const res = await api.call(key, { method, url: path.replaceAll('{id}', randomUUID()), body: example.value });
        assert.ok(![400, 415, 422].includes(res.statusCode) && res.statusCode < 500, `${res.statusCode}: ${res.body}`);
      });
    }
  }
});

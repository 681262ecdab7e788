// The committed openapi/openapi.json is exactly what the API generates, and it is a valid
// OpenAPI 3.1 document. Run `npm run openapi` after changing a route.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiFile, renderOpenApiDocument } from '../../scripts/write-openapi.js';

test('openapi/openapi.json matches the generated document (run `npm run openapi` when it does not)', async () => {
  const generated = await renderOpenApiDocument();
  const committed = await readFile(openApiFile, 'utf8');
  assert.equal(committed, generated);
});

test('the document is valid OpenAPI 3.1 and documents problem+json errors on every route', async () => {
  const doc = JSON.parse(await renderOpenApiDocument()) as {
    openapi: string;
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
  };
  assert.equal(doc.openapi, '3.1.0');
  await SwaggerParser.validate(structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0]);
  for (const [path, operations] of Object.entries(doc.paths)) {
    if (path === '/healthz' || path === '/readyz') continue;
    for (const [method, operation] of Object.entries(operations)) {
      const unauthorized = operation.responses['401']?.content;
      assert.ok(unauthorized && 'application/problem+json' in unauthorized, `${method.toUpperCase()} ${path} documents its 401 problem`);
    }
  }
});

// `npm run client:generate`: TypeScript types of the API (src/client/schema.d.ts) from the
// committed openapi/openapi.json, with openapi-typescript. src/client/api-client.ts wraps them in a
// typed openapi-fetch client. test/ops/client-schema.test.ts fails when the file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { isMain } from '../src/runtime/is-main.js';

export const openApiDocumentFile = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));
export const clientSchemaFile = fileURLToPath(new URL('../src/client/schema.d.ts', import.meta.url));

/** The file's text as committed, generated from the OpenAPI document on disk. */
export async function renderClientSchema(): Promise<string> {
  const document = JSON.parse(await readFile(openApiDocumentFile, 'utf8')) as OpenAPI3;
  // A field with a default may be left out of a request: keep it optional in the types.
  const nodes = await openapiTS(document, { alphabetize: true, defaultNonNullable: false });
  return `${COMMENT_HEADER}// Regenerate with \`npm run client:generate\` (after \`npm run openapi\`).\n\n${astToString(nodes)}`;
}

if (isMain(import.meta.url)) {
  await writeFile(clientSchemaFile, await renderClientSchema());
  console.log(`wrote ${clientSchemaFile}`);
}

// `npm run openapi`: builds the API with stub adapters (nothing connects, nothing listens) and
// writes its OpenAPI 3.1 document to openapi/openapi.json with sorted keys, so the committed file
// only changes when the API does. test/api/openapi.test.ts fails when the two differ.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createSecretBox } from '../src/crypto/secret-box.js';
import { createDb } from '../src/db/client.js';
import type { JobProducer } from '../src/jobs/queue.js';
import { isMain } from '../src/runtime/is-main.js';

export const openApiFile = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

/** Object keys sorted at every level; array order kept (it can carry meaning). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

const unusedProducer: JobProducer = {
  enqueue: () => Promise.reject(new Error('stub producer')),
  enqueueMany: () => Promise.reject(new Error('stub producer')),
  close: () => Promise.resolve(),
  queue: () => {
    throw new Error('stub producer');
  },
};

/** The document as the file holds it: sorted, two-space indented, trailing newline. */
export async function renderOpenApiDocument(): Promise<string> {
  // Defaults only: the document must not depend on this machine's environment.
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const db = createDb(config.database.url, 1); // never queried
  const redis = new Redis(config.redis.url, { lazyConnect: true });
  const secrets = createSecretBox(new Map([['stub', randomBytes(32)]]));
  const app = await buildApp({ config, db, redis, producer: unusedProducer, secrets, logger: pino({ level: 'silent' }) });
  try {
    await app.ready();
    return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`;
  } finally {
    await app.close();
    redis.disconnect();
    await db.$disconnect();
  }
}

if (isMain(import.meta.url)) {
  await writeFile(openApiFile, await renderOpenApiDocument());
  console.log(`wrote ${openApiFile}`);
}

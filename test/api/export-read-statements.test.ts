// GET /exports/:id costs one SQL statement: the export with its runs, flow binding and destination
// joined (Prisma relationJoins), counted on the wire by a pg pool that sees every statement the
// API's Prisma client sends.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.js';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let counted: App;
let db: PrismaClient;
let pool: pg.Pool;
const statements: string[] = [];

before(async () => {
  api = await startTestApi();
  pool = new pg.Pool({ connectionString: api.database.url, max: 2 });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      statements.push(typeof first === 'string' ? first : String((first as { text?: string }).text ?? ''));
      return query(...args);
    };
  });
  db = new PrismaClient({ adapter: new PrismaPg(pool) });
  counted = await buildApp({ config: api.config, db, redis: api.redis, producer: api.producer, secrets: api.secrets, logger: pino({ level: 'silent' }) });
  await counted.ready();
});
after(async () => {
  await counted?.close();
  await db?.$disconnect();
  await pool?.end();
  await api?.close();
});

test('GET /exports/:id is one statement, with its runs, flow binding and destination', async () => {
  const seeded = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0);
  const datasetId = seeded.find((d) => d.key === 'experience-events')?.id ?? assert.fail('no seeded events dataset');
  const destination = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz));
  const created = await api.post(api.keys.tenantA, '/exports', { datasetId, destinationId: destination.id, path: 'ml/one-statement', format: 'parquet', compression: 'gzip' });
  assert.equal(created.statusCode, 202, created.body);
  const { id } = bodyOf<{ id: string }>(created);
  // A flow binding and a second run, so every relation has rows to join.
  const binding = await api.database.db.flowBinding.create({
    data: {
      id: crypto.randomUUID(),
      tenantId: api.tenantA.id,
      destinationId: destination.id,
      datasetId,
      path: 'ml/one-statement',
      format: 'parquet',
      compression: 'gzip',
      scheduleKey: 'on-demand',
      sourceConnectionId: 'sc-1',
      targetConnectionId: 'tc-1',
      flowId: 'flow-1',
    },
  });
  await api.database.db.export.update({ where: { id }, data: { flowBindingId: binding.id } });
  await api.database.db.exportRun.create({ data: { id: crypto.randomUUID(), exportId: id, state: 'requested', requestedAt: new Date(Date.now() + 1000) } });

  const get = () => counted.inject({ method: 'GET', url: `/exports/${id}`, headers: { authorization: `Bearer ${api.keys.tenantA}` } });
  // The first request also looks the API key up (then cached).
  assert.equal((await get()).statusCode, 200);
  statements.length = 0;
  const read = await get();
  assert.equal(read.statusCode, 200, read.body);
  assert.deepEqual(statements.length, 1, `statements sent:\n${statements.join('\n---\n')}`);

  const view = bodyOf<{ runs: unknown[]; platform: { flowId: string | null; sourceConnectionId: string | null } }>(read);
  assert.equal(view.runs.length, 2);
  assert.equal(view.platform.flowId, 'flow-1');
  assert.equal(view.platform.sourceConnectionId, 'sc-1');
  // The same answer as the API's own Prisma client gives.
  assert.deepEqual(view, bodyOf(await api.get(api.keys.tenantA, `/exports/${id}`)));
});

// Accepted means durable: with Redis unreachable the export is still committed and answered 202;
// the worker's sweeper enqueues it later by id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;

before(async () => {
  // Port 1 refuses connections: the producer cannot reach any Redis.
  api = await startTestApi({ producerRedisUrl: 'redis://127.0.0.1:1' });
});
after(async () => {
  await api.close();
});

test('Redis down: 202 anyway, the row is committed queued with its requested run, and no job exists', async () => {
  const datasetId = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0).find(
    (d) => d.key === 'experience-events',
  )?.id;
  assert.ok(datasetId);
  const destinationId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;

  const res = await api.post(api.keys.tenantA, '/exports', { datasetId, destinationId, path: 'ml', format: 'parquet', compression: 'gzip' });
  assert.equal(res.statusCode, 202, res.body);
  const id = bodyOf<{ id: string }>(res).id;

  const row = await api.database.db.export.findUniqueOrThrow({ where: { id }, include: { runs: true } });
  assert.equal(row.status, 'queued');
  assert.deepEqual(
    row.runs.map((r) => r.state),
    ['requested'],
  );
  // The real Redis (same prefix) never saw the job: only the sweeper can deliver this export.
  assert.equal(await api.redis.exists(`${api.config.redis.queuePrefix}:exports:${id}`), 0);
});

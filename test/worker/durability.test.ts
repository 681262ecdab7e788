// Accepted means durable, and a job is safe to run twice: a row committed while Redis could not
// take its job is found by the sweeper; a duplicate delivery of a finished export is acked without
// a Platform call; two activations of one export at once still make one object of each kind and
// one run; labels are checked again before anything is created.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { queueNames } from '../../src/jobs/catalog.js';
import type { TestApi } from '../support/api.js';
import { bodyOf } from '../support/api.js';
import { emulatorDestinationBodies, prepareCustomerStores } from '../support/emulator-destinations.js';
import {
  countAllAtPlatform,
  createDestination,
  createExport,
  datasetIdByName,
  EVENTS_DATASET,
  getExport,
  startWorld,
  waitForExport,
  type World,
} from './helpers.js';

/** A queue handle on the test's Redis and prefix, for adding jobs the way a redelivery would. */
function openQueue(api: TestApi) {
  const connection = new Redis(api.config.redis.url, { maxRetriesPerRequest: null });
  const eventsConnection = connection.duplicate();
  const queue = new Queue(queueNames.exports, { connection, prefix: api.config.redis.queuePrefix });
  const events = new QueueEvents(queueNames.exports, { connection: eventsConnection, prefix: api.config.redis.queuePrefix });
  return {
    queue,
    events,
    async close() {
      await events.close();
      await queue.close();
      // Connections handed to BullMQ stay ours to close.
      eventsConnection.disconnect();
      connection.disconnect();
    },
  };
}

/** An export row committed directly (as if accepted before labels changed), with its requested run. */
async function commitExportRow(api: TestApi, datasetId: string, destinationId: string, path: string): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await api.database.db.export.create({
    data: { id, tenantId: api.tenantA.id, destinationId, datasetId, path, format: 'parquet', compression: 'gzip', status: 'queued', step: 'pending', nextCheckAt: now },
  });
  await api.database.db.exportRun.create({ data: { id: randomUUID(), exportId: id, state: 'requested', requestedAt: now } });
  return id;
}

describe('exports accepted while Redis is down', () => {
  let world: World;
  before(async () => {
    // The API's producer points at a closed port: every enqueue fails; the worker's Redis works.
    // The worker (and its sweeper) starts only after the export was accepted.
    world = await startWorld({ producerRedisUrl: 'redis://127.0.0.1:1', noWorker: true });
  });
  after(() => world.close());

  test('the sweeper enqueues the committed row by id and the export succeeds', async () => {
    const { api } = world;
    const q = openQueue(api);
    try {
      const datasetId = await datasetIdByName(api, EVENTS_DATASET);
      const destinationId = await createDestination(api, 'dlz');
      const accepted = await createExport(api, { datasetId, destinationId, path: 'durable/redis-down' });
      assert.equal(accepted.status, 'queued');
      assert.equal(await q.queue.getJobState(accepted.id), 'unknown', 'the API could not enqueue');
      await world.startWorker();
      const done = await waitForExport(api, accepted.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.runs[0]?.state, 'succeeded');
    } finally {
      await q.close();
    }
  });
});

describe('duplicate and concurrent deliveries', () => {
  let world: World;
  let datasetId: string;
  let destinationId: string;
  let q: ReturnType<typeof openQueue>;
  before(async () => {
    // Several runs of one flow and dataset: new rows land before each, as on a live org (with
    // nothing new the Platform refuses a rerun).
    world = await startWorld({ simulator: { liveIngestionRows: 1 } });
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
    q = openQueue(world.api);
    await q.events.waitUntilReady();
  });
  after(async () => {
    await q.close();
    await world.close();
  });

  test('a finished export delivered again is acked without touching the row or the Platform', async () => {
    const { api, sim } = world;
    const done = await waitForExport(api, (await createExport(api, { datasetId, destinationId, path: 'durable/duplicate' })).id);
    assert.equal(done.status, 'succeeded');
    const platformBefore = await countAllAtPlatform(sim);
    const rowBefore = await api.database.db.export.findUniqueOrThrow({ where: { id: done.id } });

    const job = await q.queue.add('export.run', { exportId: done.id }, { jobId: `redelivery-${done.id}` });
    const reason: unknown = await job.waitUntilFinished(q.events, 20_000);

    assert.equal(reason, 'duplicate');
    assert.deepEqual(await api.database.db.export.findUniqueOrThrow({ where: { id: done.id } }), rowBefore);
    assert.deepEqual(await countAllAtPlatform(sim), platformBefore);
  });

  test('two activations of one export at once make one object of each kind and one run', async () => {
    const { api, sim } = world;
    const before = await countAllAtPlatform(sim);
    const accepted = await createExport(api, { datasetId, destinationId, path: 'durable/concurrent' });
    // A second activation of the same export, as after a stalled lock.
    await q.queue.add('export.run', { exportId: accepted.id }, { jobId: `stalled-copy-${accepted.id}` });
    const done = await waitForExport(api, accepted.id);

    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(await countAllAtPlatform(sim), {
      connections: before.connections,
      sourceConnections: before.sourceConnections + 1,
      targetConnections: before.targetConnections + 1,
      flows: before.flows + 1,
      runs: before.runs + 1,
    });
  });

  test('first exports to a new destination at once share one base connection', async () => {
    const { api, sim } = world;
    // A real (emulated) customer bucket: the runs land there.
    await prepareCustomerStores(sim);
    const created = await api.post(api.keys.tenantA, '/destinations', emulatorDestinationBodies(sim).s3);
    assert.equal(created.statusCode, 201, created.body);
    const fresh = bodyOf<{ id: string }>(created).id;
    const before = await countAllAtPlatform(sim);
    const accepted = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map((p) => createExport(api, { datasetId, destinationId: fresh, path: `durable/fan/${p}` })),
    );
    const done = await Promise.all(accepted.map((e) => waitForExport(api, e.id)));

    assert.deepEqual(done.map((e) => e.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.equal(new Set(done.map((e) => e.platform.baseConnectionId)).size, 1);
    const afterCounts = await countAllAtPlatform(sim);
    assert.equal(afterCounts.connections, before.connections + 1);
    assert.equal(afterCounts.flows, before.flows + 4);
  });

  test('exports of one binding at once share one flow and each gets its own run', async () => {
    const { api, sim } = world;
    const before = await countAllAtPlatform(sim);
    const accepted = await Promise.all([1, 2, 3].map(() => createExport(api, { datasetId, destinationId, path: 'durable/same-binding' })));
    const done = await Promise.all(accepted.map((e) => waitForExport(api, e.id)));

    assert.deepEqual(done.map((e) => e.status), ['succeeded', 'succeeded', 'succeeded']);
    assert.equal(new Set(done.map((e) => e.platform.flowId)).size, 1);
    assert.equal(new Set(done.map((e) => e.runs[0]?.platformRunId)).size, 3);
    assert.deepEqual(await countAllAtPlatform(sim), {
      connections: before.connections,
      sourceConnections: before.sourceConnections + 1,
      targetConnections: before.targetConnections + 1,
      flows: before.flows + 1,
      runs: before.runs + 3,
    });
  });

  for (const [name, label] of [
    ['CMLE Events (no data science)', 'C9'],
    ['CMLE Contacts (no export)', 'C12'],
    ['CMLE Sensitive Profile Attributes', 'PSPD'],
  ] as const) {
    test(`labels are checked again before creating anything: ${label} fails the export`, async () => {
      const { api, sim } = world;
      const before = await countAllAtPlatform(sim);
      const labelled = await datasetIdByName(api, name);
      const id = await commitExportRow(api, labelled, destinationId, `durable/governance-${label}`);
      await api.producer.enqueue('export.run', { exportId: id });
      const done = await waitForExport(api, id);

      assert.equal(done.status, 'failed');
      assert.equal(done.error?.code, 'governance_refused');
      assert.equal(done.error?.step, 'governance');
      assert.ok(done.error?.message.includes(label), done.error?.message);
      assert.equal(done.runs[0]?.state, 'failed');
      assert.deepEqual(await countAllAtPlatform(sim), before);
      assert.equal((await getExport(api, id)).platform.flowId, null);
    });
  }
});

describe('a job that exhausted its attempts', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ noWorker: true });
  });
  after(() => world.close());

  test('its failed job no longer blocks the id: the sweeper replaces it and the export succeeds', async () => {
    const { api } = world;
    const q = openQueue(api);
    try {
      const datasetId = await datasetIdByName(api, EVENTS_DATASET);
      const destinationId = await createDestination(api, 'dlz');
      const accepted = await createExport(api, { datasetId, destinationId, path: 'durable/exhausted' });
      // A worker whose every attempt crashes (as during a long database outage) fails the job for good.
      const brokenConnection = new Redis(api.config.redis.url, { maxRetriesPerRequest: null });
      const broken = new Worker(queueNames.exports, () => Promise.reject(new UnrecoverableError('simulated outage')), {
        connection: brokenConnection,
        prefix: api.config.redis.queuePrefix,
      });
      await once(broken, 'failed');
      await broken.close();
      brokenConnection.disconnect();
      assert.equal(await q.queue.getJobState(accepted.id), 'failed');
      assert.equal((await getExport(api, accepted.id)).status, 'queued');

      await world.startWorker();
      const done = await waitForExport(api, accepted.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    } finally {
      await q.close();
    }
  });
});

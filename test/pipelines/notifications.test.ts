// Outbound notifications: every state change of a pipeline (and of an export) is a Standard
// Webhooks-signed delivery to its callbackUrl, written to the outbox with the change and sent by
// the worker; a failed attempt is retried with backoff under the same webhook-id; a target on a
// private or loopback address is never contacted unless configuration allows it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { CMLE_EVENTS_TABLE } from '../../src/pipelines/cmle-example.js';
import { deliverOnce } from '../../src/notifications/dispatcher.js';
import { createSsrfGuard } from '../../src/security/ssrf.js';
import { verify } from '../../src/webhooks/standard-webhooks.js';
import { bodyOf } from '../support/api.js';
import { EVENTS_DATASET, datasetIdByName } from '../worker/helpers.js';
import { createDlz, startPipeline, startPipelineWorld, waitForPipeline, type PipelineWorld } from './support.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let world: PipelineWorld;
let server: Server;
let url: string;
const received: Received[] = [];
/** The first request gets a 500, every later one a 204. */
let answered = 0;

before(async () => {
  world = await startPipelineWorld({ simulator: { seedUsers: 20 } });
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = answered++ === 0 ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await world.close();
});

const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;
const dataOf = (r: Received) => (JSON.parse(r.body) as { data: Record<string, unknown> }).data;

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !check(); i++) await sleep(50);
  assert.ok(check(), what);
}

test('a pipeline tells its callbackUrl every change, signed with the secret it was created with, retrying a failed attempt', async () => {
  const accepted = await startPipeline(world.api, {
    name: 'notify me',
    callbackUrl: url,
    steps: [{ kind: 'featurize', name: 'features', sql: `SELECT _cmle.userid AS userId FROM ${CMLE_EVENTS_TABLE}` }],
  });
  assert.match(accepted.callbackSecret ?? '', /^whsec_/);
  assert.equal((await world.api.get(world.api.keys.tenantA, `/pipelines/${accepted.id}`)).json<{ callbackSecret?: string }>().callbackSecret, undefined, 'shown once');
  const done = await waitForPipeline(world.api, accepted.id);
  assert.equal(done.status, 'succeeded');

  const mine = () => received.filter((r) => dataOf(r).pipelineId === accepted.id);
  const expected = ['pipeline.queued', 'pipeline.running', 'pipeline.step.started', 'pipeline.step.succeeded', 'pipeline.succeeded'];
  // Settled: every outbox row of the pipeline is out of `pending` (the row is written after the answer).
  let rows = await world.api.database.db.notificationDelivery.findMany({ where: { resourceId: accepted.id } });
  for (let i = 0; i < 600 && (rows.length < expected.length || rows.some((row) => row.state === 'pending')); i++) {
    await sleep(50);
    rows = await world.api.database.db.notificationDelivery.findMany({ where: { resourceId: accepted.id } });
  }
  assert.deepEqual(rows.map((row) => row.event).sort(), [...expected].sort());
  assert.deepEqual(mine().map(typeOf).sort(), [...expected, ...rows.filter((row) => row.attempts === 2).map((row) => row.event)].sort());
  for (const delivery of mine()) {
    const verified = verify({ headers: delivery.headers, rawBody: delivery.body, secrets: accepted.callbackSecret ?? '' });
    assert.equal(verified.ok, true, JSON.stringify(verified));
  }
  // The one answered 500 came again under the same webhook-id, and then was delivered.
  const ids = mine().map((r) => String(r.headers['webhook-id']));
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.equal(repeated.length, 1, ids.join(' '));
  assert.ok(rows.every((row) => row.state === 'delivered'), JSON.stringify(rows.map((row) => [row.event, row.state, row.lastError])));
  assert.deepEqual(rows.map((r) => r.attempts).sort(), [1, 1, 1, 1, 2]);
});

test('an export tells its callbackUrl too, signed with the tenant secret', async () => {
  const secret = await world.api.post(world.api.keys.tenantA, '/notification-secret');
  assert.equal(secret.statusCode, 201);
  const tenantSecret = bodyOf<{ secret: string }>(secret).secret;
  const destinationId = await createDlz(world.api, 'export notifications');
  const datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
  const created = await world.api.post(world.api.keys.tenantA, '/exports', { datasetId, destinationId, path: 'notify', format: 'parquet', compression: 'gzip', callbackUrl: url });
  assert.equal(created.statusCode, 202, created.body);
  const exportId = bodyOf<{ id: string }>(created).id;
  const mine = () => received.filter((r) => dataOf(r).exportId === exportId);
  await eventually(() => mine().some((r) => typeOf(r) === 'export.succeeded'), `export events: ${mine().map(typeOf).join(', ')}`);
  assert.deepEqual(mine().map(typeOf).sort(), ['export.running', 'export.succeeded']);
  for (const delivery of mine()) assert.equal(verify({ headers: delivery.headers, rawBody: delivery.body, secrets: tenantSecret }).ok, true);
});

test('a delivery to a loopback address is refused by the SSRF guard when private targets are not allowed', async () => {
  const pipeline = await world.api.database.db.pipeline.findFirstOrThrow({ where: { callbackSecretSealed: { not: null } } });
  const row = await world.api.database.db.notificationDelivery.create({
    data: {
      id: randomUUID(),
      tenantId: pipeline.tenantId,
      resourceType: 'pipeline',
      resourceId: pipeline.id,
      // https, so only the address rule can refuse it.
      targetUrl: url.replace('http://', 'https://'),
      event: 'pipeline.test',
      payload: { type: 'pipeline.test', timestamp: new Date().toISOString(), data: { pipelineId: pipeline.id } },
      state: 'pending',
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    },
  });
  const before = received.length;
  const guard = createSsrfGuard({ allowPrivate: false });
  try {
    await deliverOnce(world.api.database.db, world.api.secrets, guard, row, { pollMs: 100, retryInitialMs: 100, maxAttempts: 3, timeoutMs: 2000, allowPrivate: false }, pino({ level: 'silent' }));
  } finally {
    await guard.close();
  }
  const after = await world.api.database.db.notificationDelivery.findUniqueOrThrow({ where: { id: row.id } });
  assert.equal(after.state, 'failed');
  assert.match(after.lastError ?? '', /^blocked: .*loopback/);
  assert.equal(received.length, before, 'nothing reached the listener');
});

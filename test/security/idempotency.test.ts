// Idempotency-Key on the POST routes that create (R10): replay, mismatch, in-flight conflict, per
// tenant keys, 5xx not stored, expiry, and the header's format.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { purgeExpiredIdempotencyKeys } from '../../src/security/idempotency-store.js';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let destinationId: string;
let eventsDatasetId: string;

before(async () => {
  api = await startTestApi();
  const seeded = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0);
  eventsDatasetId = seeded.find((d) => d.key === 'experience-events')?.id ?? assert.fail('no seeded events dataset');
  const res = await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz);
  assert.equal(res.statusCode, 201, res.body);
  destinationId = bodyOf<{ id: string }>(res).id;
});
after(async () => {
  await api.close();
});

const exportBody = (path = 'ml/idem') => ({ datasetId: eventsDatasetId, destinationId, path, format: 'parquet', compression: 'gzip' });

function post(key: string, url: string, body: unknown, idempotencyKey?: string): Promise<LightMyRequestResponse> {
  return api.call(key, { method: 'POST', url, body, headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey } });
}

function assertProblem(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(bodyOf<{ code: string }>(res).code, code);
}

const exportsOf = (tenantId: string, path: string) => api.database.db.export.count({ where: { tenantId, path } });

describe('R10: 50 concurrent POST /exports with one key and body', () => {
  test('exactly one export; the others are 409 in flight or a byte-identical replay', async () => {
    const key = randomUUID();
    const body = exportBody('ml/r10');
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(api.keys.tenantA, '/exports', body, key)));

    assert.equal(await exportsOf(api.tenantA.id, 'ml/r10'), 1, 'one export row');
    const statuses = new Set(answers.map((a) => a.statusCode));
    assert.deepEqual([...statuses].filter((s) => s !== 202 && s !== 409), [], 'only 202 and 409');
    const executed = answers.filter((a) => a.statusCode === 202 && a.headers['idempotent-replayed'] === undefined);
    assert.equal(executed.length, 1, 'one request ran');
    const first = executed[0]!;
    for (const a of answers.filter((x) => x.statusCode === 202)) {
      assert.equal(a.body, first.body, 'a replay is byte-identical');
      assert.equal(a.headers.location, first.headers.location);
    }
    for (const a of answers.filter((x) => x.statusCode === 409)) {
      assertProblem(a, 409, 'idempotency_in_flight');
      assert.equal(a.headers['retry-after'], '1');
    }

    // Once the first has finished, every retry is the replay.
    const later = await post(api.keys.tenantA, '/exports', body, key);
    assert.equal(later.statusCode, 202);
    assert.equal(later.headers['idempotent-replayed'], 'true');
    assert.equal(later.body, first.body);
    assert.equal(later.headers.location, first.headers.location);
    assert.equal(await exportsOf(api.tenantA.id, 'ml/r10'), 1);
  });
});

describe('Idempotency-Key rules', () => {
  test('the same key with another body, or on another route, is a 422 and creates nothing', async () => {
    const key = randomUUID();
    assert.equal((await post(api.keys.tenantA, '/exports', exportBody('ml/mismatch'), key)).statusCode, 202);
    const other = await post(api.keys.tenantA, '/exports', exportBody('ml/mismatch-other'), key);
    assertProblem(other, 422, 'idempotency_mismatch');
    assert.equal(await exportsOf(api.tenantA.id, 'ml/mismatch-other'), 0);
    assertProblem(await post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz, key), 422, 'idempotency_mismatch');
  });

  test('key order and whitespace do not make another body', async () => {
    const key = randomUUID();
    const body = exportBody('ml/reordered');
    const first = await post(api.keys.tenantA, '/exports', body, key);
    assert.equal(first.statusCode, 202);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await api.call(api.keys.tenantA, {
      method: 'POST',
      url: '/exports',
      body: JSON.stringify(reordered, null, 2),
      headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    });
    assert.equal(again.statusCode, 202);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
  });

  test('keys are per tenant: the same key and body create one destination for each tenant', async () => {
    const key = randomUUID();
    const body = { ...fakeDestinationBodies.dlz, name: `shared key ${key}` };
    const a = await post(api.keys.tenantA, '/destinations', body, key);
    const b = await post(api.keys.tenantB, '/destinations', body, key);
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(b.headers['idempotent-replayed'], undefined, "B does not get A's answer");
    assert.notEqual(bodyOf<{ id: string }>(a).id, bodyOf<{ id: string }>(b).id);
    assert.equal(await api.database.db.destination.count({ where: { name: body.name } }), 2);
  });

  test('a 4xx answer of the handler is stored and replayed', async () => {
    const key = randomUUID();
    const body = { ...exportBody('ml/missing-destination'), destinationId: randomUUID() };
    const first = await post(api.keys.tenantA, '/exports', body, key);
    assertProblem(first, 404, 'not_found');
    const again = await post(api.keys.tenantA, '/exports', body, key);
    assert.equal(again.statusCode, 404);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
  });

  test('a 5xx answer is not stored: a retry with the key runs again', async () => {
    const fresh = await api.addTenant(`idem-flaky-${randomUUID().slice(0, 8)}`);
    const dest = bodyOf<{ id: string }>(await api.post(fresh.key, '/destinations', fakeDestinationBodies.dlz)).id;
    const key = randomUUID();
    const body = { ...exportBody('ml/after-outage'), destinationId: dest };
    await api.simulator.setFaults({ rules: [{ match: { pathPrefix: '/data/foundation/catalog' }, effect: 'error5xx', status: 503 }] });
    try {
      const failed = await post(fresh.key, '/exports', body, key);
      assert.equal(failed.statusCode, 503, failed.body);
    } finally {
      await api.simulator.setFaults({});
    }
    assert.equal(await api.database.db.idempotencyKey.count({ where: { tenantId: fresh.id, key } }), 0);
    const retried = await post(fresh.key, '/exports', body, key);
    assert.equal(retried.statusCode, 202, retried.body);
    assert.equal(retried.headers['idempotent-replayed'], undefined);
    assert.equal(await exportsOf(fresh.id, 'ml/after-outage'), 1);
  });

  test('POST /exports/:id/runs and the admin routes replay too', async () => {
    const created = bodyOf<{ id: string }>(await post(api.keys.tenantA, '/exports', exportBody('ml/rerun')));
    const row = await api.database.db.export.findUniqueOrThrow({ where: { id: created.id } });
    // Finish the export as the worker would, so another run may be requested.
    await api.database.db.export.update({ where: { id: row.id }, data: { status: 'succeeded', finishedAt: new Date() } });
    await api.database.db.exportRun.updateMany({ where: { exportId: row.id }, data: { state: 'succeeded', completedAt: new Date() } });
    const key = randomUUID();
    const run = await post(api.keys.tenantA, `/exports/${row.id}/runs`, undefined, key);
    assert.equal(run.statusCode, 202, run.body);
    const again = await post(api.keys.tenantA, `/exports/${row.id}/runs`, undefined, key);
    assert.equal(again.statusCode, 202, 'a replay, not the 409 a second run request would get');
    assert.equal(again.body, run.body);
    assert.equal(await api.database.db.exportRun.count({ where: { exportId: row.id } }), 2);

    const issueKey = randomUUID();
    const issued = await post(api.keys.adminA, `/admin/tenants/${api.tenantB.id}/api-keys`, { name: 'idem' }, issueKey);
    assert.equal(issued.statusCode, 201, issued.body);
    const reissued = await post(api.keys.adminA, `/admin/tenants/${api.tenantB.id}/api-keys`, { name: 'idem' }, issueKey);
    assert.equal(reissued.body, issued.body);
    assert.equal(await api.database.db.apiKey.count({ where: { tenantId: api.tenantB.id, name: 'idem' } }), 1);
  });

  test('an expired key is a new request; expired records are purged', async () => {
    const key = randomUUID();
    assert.equal((await post(api.keys.tenantA, '/exports', exportBody('ml/expiring'), key)).statusCode, 202);
    const stored = await api.database.db.idempotencyKey.findUniqueOrThrow({ where: { tenantId_key: { tenantId: api.tenantA.id, key } } });
    assert.ok(stored.expiresAt.getTime() - stored.createdAt.getTime() >= 24 * 3600 * 1000, 'kept at least 24 h');
    await api.database.db.idempotencyKey.update({ where: { tenantId_key: { tenantId: api.tenantA.id, key } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const reused = await post(api.keys.tenantA, '/exports', exportBody('ml/expired-reuse'), key);
    assert.equal(reused.statusCode, 202, reused.body);
    assert.equal(reused.headers['idempotent-replayed'], undefined);

    const otherKey = randomUUID();
    assert.equal((await post(api.keys.tenantA, '/exports', exportBody('ml/purged'), otherKey)).statusCode, 202);
    await api.database.db.idempotencyKey.update({ where: { tenantId_key: { tenantId: api.tenantA.id, key: otherKey } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    assert.ok((await purgeExpiredIdempotencyKeys(api.database.db)) >= 1);
    assert.equal(await api.database.db.idempotencyKey.count({ where: { tenantId: api.tenantA.id, key: otherKey } }), 0);
    assert.equal(await api.database.db.idempotencyKey.count({ where: { tenantId: api.tenantA.id, key } }), 1, 'a live record stays');
  });

  for (const [label, bad] of [
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'clé-été'],
    ['a control character', 'abc\tdef'],
  ] as const) {
    test(`a malformed key (${label}): 400 naming the header, nothing created`, async () => {
      const path = `ml/bad-key-${label.replace(/\W/g, '')}`;
      const res = await post(api.keys.tenantA, '/exports', exportBody(path), bad);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = bodyOf<{ errors: { location: string; pointer: string }[] }>(res);
      assert.ok(problem.errors.some((e) => e.location === 'headers' && e.pointer === '/idempotency-key'), res.body);
      assert.equal(await exportsOf(api.tenantA.id, path), 0);
    });
  }

  test('255 printable characters are a valid key; without a key nothing is recorded', async () => {
    const key = `${'~'.repeat(200)} ${randomUUID()}`.slice(0, 255);
    assert.equal((await post(api.keys.tenantA, '/exports', exportBody('ml/long-key'), key)).statusCode, 202);
    const before = await api.database.db.idempotencyKey.count();
    assert.equal((await post(api.keys.tenantA, '/exports', exportBody('ml/no-key'))).statusCode, 202);
    assert.equal((await post(api.keys.tenantA, '/exports', exportBody('ml/no-key'))).statusCode, 202);
    assert.equal(await api.database.db.idempotencyKey.count(), before);
    assert.equal(await exportsOf(api.tenantA.id, 'ml/no-key'), 2);
  });
});

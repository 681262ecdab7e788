// How the API reads request bodies as clients really send them: a missing required field says
// "is required", a bodiless POST with a JSON content type is no body, and a form-encoded body is a
// 415 that says to send JSON.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { location: string; pointer: string; message: string }[];
}

let api: TestApi;
let destinationId: string;
let datasetId: string;

before(async () => {
  api = await startTestApi();
  destinationId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
  const datasets = bodyOf<{ items: { id: string; name: string }[] }>(await api.get(api.keys.tenantA, '/datasets?limit=100')).items;
  datasetId = datasets.find((d) => d.name === 'CMLE Synthetic Experience Events')?.id ?? assert.fail('no events dataset');
});
after(async () => {
  await api.close();
});

describe('POST /exports without format or compression', () => {
  for (const field of ['format', 'compression'] as const) {
    test(`names ${field} as required`, async () => {
      const body: Record<string, unknown> = { datasetId, destinationId, path: 'ml/required', format: 'parquet', compression: 'gzip' };
      delete body[field];
      const res = await api.post(api.keys.tenantA, '/exports', body);
      assert.equal(res.statusCode, 400, res.body);
      const problem = bodyOf<Problem>(res);
      assert.deepEqual(problem.errors, [{ location: 'body', pointer: `/${field}`, message: 'is required' }]);
      assert.equal(problem.detail, `body/${field}: is required`);
    });
  }

  test('a wrong value still lists the choices', async () => {
    const res = await api.post(api.keys.tenantA, '/exports', { datasetId, destinationId, path: 'ml/required', format: 'csv', compression: 'gzip' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(bodyOf<Problem>(res).errors, [{ location: 'body', pointer: '/format', message: 'must be one of parquet, json' }]);
  });
});

describe('POST /exports/:id/runs with a JSON content type and no body', () => {
  test('is accepted as a bodiless request', async () => {
    const created = await api.post(api.keys.tenantA, '/exports', { datasetId, destinationId, path: 'ml/rerun', format: 'parquet', compression: 'gzip' });
    assert.equal(created.statusCode, 202, created.body);
    const id = bodyOf<{ id: string }>(created).id;
    // What the worker does when the first run ends.
    await api.database.db.exportRun.updateMany({ where: { exportId: id }, data: { state: 'succeeded', completedAt: new Date() } });
    await api.database.db.export.update({ where: { id }, data: { status: 'succeeded', step: 'done', finishedAt: new Date() } });
    await api.producer.queue('exports').remove(id);

    const again = await api.call(api.keys.tenantA, { method: 'POST', url: `/exports/${id}/runs`, headers: { 'content-type': 'application/json' } });
    assert.equal(again.statusCode, 202, again.body);
    assert.equal(bodyOf<{ status: string }>(again).status, 'queued');
  });

  test('a route that needs a body still says which fields are missing', async () => {
    const res = await api.call(api.keys.tenantA, { method: 'POST', url: '/exports', headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(bodyOf<Problem>(res).code, 'validation_error');
  });

  test('a malformed JSON body is still a 400', async () => {
    const res = await api.call(api.keys.tenantA, { method: 'POST', url: '/exports', body: '{"datasetId":', headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 400, res.body);
  });
});

describe('a body that is not JSON', () => {
  test('form-encoded: 415 saying to send JSON', async () => {
    const res = await api.call(api.keys.tenantA, {
      method: 'POST',
      url: '/exports',
      body: `datasetId=${datasetId}&destinationId=${destinationId}&path=x&format=parquet&compression=gzip`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.statusCode, 415, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const problem = bodyOf<Problem>(res);
    assert.equal(problem.code, 'unsupported_media_type');
    assert.equal(problem.detail, 'Send the body as JSON with Content-Type: application/json (got application/x-www-form-urlencoded).');
  });
});

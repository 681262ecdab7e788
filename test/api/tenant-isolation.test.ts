// Tenant isolation: every route that takes an id, called with tenant B's key on tenant A's ids,
// answers 404 and changes nothing; lists never show another tenant's rows. The routes come from
// the app's own OpenAPI document, so a new route cannot be forgotten here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type HttpCall, type TestApi } from '../support/api.js';

let api: TestApi;
const a = { destinationId: '', exportId: '', recurringExportId: '', datasetId: '', pipelineId: '', templateId: '', runId: '', scheduleId: '' };
const b = { destinationId: '', exportId: '', pipelineId: '' };

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
}

before(async () => {
  api = await startTestApi();
  const seedOf = (sandbox: string) =>
    generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox }, 0).find((d) => d.key === 'experience-events')?.id ?? '';
  a.datasetId = seedOf(api.tenantA.sandbox);
  const datasetB = seedOf(api.tenantB.sandbox);

  a.destinationId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.s3)).id;
  b.destinationId = bodyOf<{ id: string }>(await api.post(api.keys.tenantB, '/destinations', fakeDestinationBodies.dlz)).id;
  const exportBody = { datasetId: a.datasetId, destinationId: a.destinationId, path: 'ml', format: 'parquet', compression: 'gzip' };
  a.exportId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/exports', exportBody)).id;
  a.recurringExportId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/exports', { ...exportBody, schedule: { every: 'PT3H' } })).id;
  b.exportId = bodyOf<{ id: string }>(
    await api.post(api.keys.tenantB, '/exports', { datasetId: datasetB, destinationId: b.destinationId, path: 'ml', format: 'parquet', compression: 'gzip' }),
  ).id;
  assert.ok(a.exportId && a.recurringExportId && b.exportId, 'fixtures created');
  // Pipelines (no worker runs here, they stay queued) and a template.
  const pipelineBody = { name: 'isolation', steps: [{ kind: 'featurize', name: 'features', sql: 'SELECT 1 AS one' }] };
  a.pipelineId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/pipelines', pipelineBody)).id;
  b.pipelineId = bodyOf<{ id: string }>(await api.post(api.keys.tenantB, '/pipelines', pipelineBody)).id;
  a.templateId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/pipeline-templates', { name: 'isolation', steps: pipelineBody.steps })).id;
  assert.ok(a.pipelineId && b.pipelineId && a.templateId, 'pipeline fixtures created');
  a.scheduleId = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/pipeline-schedules', { name: 'isolation', pipelineId: a.pipelineId, everyHours: 24 })).id;
  assert.ok(a.scheduleId, 'schedule fixture created');
  // A failed pipeline, so "retry" would be allowed for its owner.
  await api.database.db.pipeline.update({ where: { id: a.pipelineId }, data: { status: 'failed' } });
  await api.database.db.pipelineStep.updateMany({ where: { pipelineId: a.pipelineId }, data: { state: 'failed' } });
  // A finished export, so "run again" would be allowed for its owner.
  await api.database.db.exportRun.updateMany({ where: { exportId: a.exportId }, data: { state: 'succeeded' } });
  await api.database.db.export.update({ where: { id: a.exportId }, data: { status: 'succeeded' } });
  // With a landed file on record, so its listing and download would work for its owner.
  const run = await api.database.db.exportRun.findFirstOrThrow({ where: { exportId: a.exportId } });
  a.runId = run.id;
  await api.database.db.exportRunFile.create({ data: { runId: run.id, path: 'ml/part-00000.parquet', uri: 's3://fake-bucket/ml/part-00000.parquet', size: 1n } });
});
after(async () => {
  await api.close();
});

/** A request tenant A could make successfully on its own object; B must get 404 for it. */
function requestFor(method: string, path: string): { url: string; body?: unknown }[] | 'admin' | 'public' {
  if (path.startsWith('/admin/')) return 'admin';
  // ML platform callbacks are authenticated by signature, not by API key (webhooks.test.ts).
  if (path.startsWith('/webhooks/')) return 'public';
  const exportIds = [a.exportId, a.recurringExportId];
  switch (`${method} ${path}`) {
    case 'GET /destinations/{id}':
    case 'DELETE /destinations/{id}':
      return [{ url: `/destinations/${a.destinationId}` }];
    case 'PATCH /destinations/{id}':
      return [{ url: `/destinations/${a.destinationId}`, body: { name: 'taken over' } }];
    case 'GET /pipeline-schedules/{id}':
    case 'DELETE /pipeline-schedules/{id}':
    case 'POST /pipeline-schedules/{id}/pause':
    case 'POST /pipeline-schedules/{id}/resume':
      return [{ url: path.replace('{id}', a.scheduleId) }];
    case 'PATCH /pipeline-schedules/{id}':
      return [{ url: `/pipeline-schedules/${a.scheduleId}`, body: { name: 'taken over' } }];
    case 'GET /destinations/{id}/access':
      return [{ url: `/destinations/${a.destinationId}/access` }];
    case 'GET /exports/{id}/runs/{runId}/files':
      return [{ url: `/exports/${a.exportId}/runs/${a.runId}/files` }];
    case 'GET /exports/{id}/runs/{runId}/files/content':
      return [{ url: `/exports/${a.exportId}/runs/${a.runId}/files/content?path=${encodeURIComponent('ml/part-00000.parquet')}` }];
    case 'GET /datasets/{id}':
      return [{ url: `/datasets/${a.datasetId}` }];
    case 'GET /exports/{id}':
    case 'GET /exports/{id}/events':
    case 'POST /exports/{id}/runs':
    case 'POST /exports/{id}/cancel':
    case 'POST /exports/{id}/pause':
    case 'POST /exports/{id}/resume':
      return exportIds.map((id) => ({ url: path.replace('{id}', id) }));
    case 'PATCH /exports/{id}':
      return exportIds.map((id) => ({ url: `/exports/${id}`, body: { schedule: { every: 'PT6H' } } }));
    case 'GET /pipelines/{id}':
    case 'POST /pipelines/{id}/cancel':
    case 'POST /pipelines/{id}/retry':
    case 'POST /pipelines/{id}/rerun':
      return [{ url: path.replace('{id}', a.pipelineId) }];
    case 'GET /pipeline-templates/{id}':
      return [{ url: `/pipeline-templates/${a.templateId}` }];
    case 'POST /pipeline-templates/{id}/start':
      return [{ url: `/pipeline-templates/${a.templateId}/start`, body: { parameters: {} } }];
    default:
      throw new Error(`the isolation sweep does not know ${method} ${path}; add it`);
  }
}

describe('tenant B on tenant A\'s ids', () => {
  test('every route with an id answers 404 and changes nothing', async () => {
    const doc = api.app.swagger() as unknown as OpenApiDoc;
    const stateBefore = await api.database.db.export.findMany({ where: { tenantId: api.tenantA.id }, orderBy: { id: 'asc' }, include: { runs: { include: { landedFiles: true } } } });
    const pipelinesBefore = await api.database.db.pipeline.findMany({ where: { tenantId: api.tenantA.id }, orderBy: { id: 'asc' }, include: { steps: true } });
    let swept = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.includes('{')) continue;
      for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
        const requests = requestFor(method, path);
        if (requests === 'admin' || requests === 'public') continue; // admin routes are not tenant resources: tenant keys get 403 (admin.test.ts)
        for (const r of requests) {
          const res = await api.call(api.keys.tenantB, { method: method as HttpCall['method'], url: r.url, body: r.body });
          assert.equal(res.statusCode, 404, `${method} ${r.url} answered ${res.statusCode}: ${res.body}`);
          assert.equal(bodyOf<{ code: string }>(res).code, 'not_found');
          swept++;
        }
      }
    }
    assert.ok(swept >= 9, `swept ${swept} requests`);
    const stateAfter = await api.database.db.export.findMany({ where: { tenantId: api.tenantA.id }, orderBy: { id: 'asc' }, include: { runs: { include: { landedFiles: true } } } });
    assert.deepEqual(stateAfter, stateBefore);
    assert.deepEqual(await api.database.db.pipeline.findMany({ where: { tenantId: api.tenantA.id }, orderBy: { id: 'asc' }, include: { steps: true } }), pipelinesBefore);
    assert.equal((await api.get(api.keys.tenantA, `/destinations/${a.destinationId}`)).statusCode, 200, 'still there for its owner');
  });

  test('ids inside a body: an export to another tenant\'s destination is 404', async () => {
    const res = await api.post(api.keys.tenantB, '/exports', { datasetId: a.datasetId, destinationId: a.destinationId, path: 'ml', format: 'parquet', compression: 'gzip' });
    assert.equal(res.statusCode, 404);
  });

  test('lists never show another tenant\'s rows, whatever the filter', async () => {
    for (const [key, mine, theirs] of [
      [api.keys.tenantB, b, a],
      [api.keys.tenantA, a, b],
    ] as const) {
      const exportsAll = bodyOf<{ items: { id: string }[] }>(await api.get(key, '/exports?limit=100')).items.map((e) => e.id);
      assert.ok(exportsAll.includes(mine.exportId));
      assert.ok(!exportsAll.includes(theirs.exportId));
      const filtered = bodyOf<{ items: unknown[] }>(await api.get(key, `/exports?destinationId=${theirs.destinationId}`)).items;
      assert.deepEqual(filtered, []);
      const pipelines = bodyOf<{ items: { id: string }[] }>(await api.get(key, '/pipelines?limit=100')).items.map((p) => p.id);
      assert.ok(pipelines.includes(mine.pipelineId));
      assert.ok(!pipelines.includes(theirs.pipelineId));
      const destinations = bodyOf<{ items: { id: string }[] }>(await api.get(key, '/destinations?limit=100')).items.map((d) => d.id);
      assert.ok(destinations.includes(mine.destinationId));
      assert.ok(!destinations.includes(theirs.destinationId));
    }
  });
});

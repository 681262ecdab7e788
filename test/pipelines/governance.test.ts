// Pipelines run the governance check of POST /exports at acceptance (issue #15): an export step
// naming a dataset whose usage labels forbid the export, or a featurization whose SQL reads a
// dataset labelled C9 (no data science) or C12 (no export), is refused with 422 naming the step,
// the field and the labels; nothing is written. What /exports refuses, pipelines refuse alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';

interface Problem {
  status: number;
  code: string;
  detail: string;
  step?: string;
  refusedLabels?: string[];
  errors?: { pointer: string; message: string }[];
}

let api: TestApi;
let destinationId: string;
const datasets: Record<string, string> = {};

before(async () => {
  api = await startTestApi();
  for (const d of generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0)) datasets[d.key] = d.id;
  const created = await api.post(api.keys.tenantA, '/destinations', { type: 'dlz', name: 'governance', params: {} });
  assert.equal(created.statusCode, 201, created.body);
  destinationId = bodyOf<{ id: string }>(created).id;
});
after(async () => {
  await api?.close();
});

const exportStep = (datasetId: unknown) => ({ kind: 'export', name: 'training-set', datasetId, destinationId, path: 'governance/p' });
const featurizeStep = (table: string) => ({ kind: 'featurize', name: 'features', sql: `SELECT e.* FROM ${table} e WHERE e.timestamp IS NOT NULL` });

async function pipelineCount(): Promise<number> {
  return api.database.db.pipeline.count({ where: { tenantId: api.tenantA.id } });
}

function refused(body: string): Problem {
  const problem = JSON.parse(body) as Problem;
  assert.equal(problem.status, 422, body);
  assert.equal(problem.code, 'governance_refused', body);
  return problem;
}

describe('pipeline governance at acceptance', () => {
  test('an export step naming a C9 or C12 dataset is refused like POST /exports refuses it', async () => {
    const before = await pipelineCount();
    for (const [key, label] of [['events-no-data-science', 'C9'], ['contacts-no-export', 'C12']] as const) {
      const pipeline = await api.post(api.keys.tenantA, '/pipelines', { name: 'refused', steps: [exportStep(datasets[key])] });
      const problem = refused(pipeline.body);
      assert.deepEqual(problem.refusedLabels, [label]);
      assert.equal(problem.step, 'training-set');
      assert.deepEqual(problem.errors?.map((e) => e.pointer), ['/steps/0/datasetId']);
      assert.ok(problem.detail.includes(label), problem.detail);

      const direct = await api.post(api.keys.tenantA, '/exports', { datasetId: datasets[key], destinationId, path: 'governance/e', format: 'parquet', compression: 'gzip' });
      const exportProblem = refused(direct.body);
      assert.deepEqual(exportProblem.refusedLabels, problem.refusedLabels);
      assert.equal(exportProblem.detail, problem.detail);
    }
    assert.equal(await pipelineCount(), before, 'nothing was written');
  });

  test('sensitive labels follow the tenant: PSPD is refused unless the tenant allows it, as for /exports', async () => {
    const pipeline = await api.post(api.keys.tenantA, '/pipelines', { name: 'pspd', steps: [exportStep(datasets['sensitive-profiles'])] });
    assert.deepEqual(refused(pipeline.body).refusedLabels, ['PSPD']);
  });

  test('a featurization reading a C9 or C12 dataset is refused, naming the table, the step and the labels', async () => {
    const before = await pipelineCount();
    for (const [table, label] of [['cmle_events_no_data_science', 'C9'], ['CMLE_CONTACTS_NO_EXPORT', 'C12']] as const) {
      const pipeline = await api.post(api.keys.tenantA, '/pipelines', { name: 'refused', steps: [featurizeStep(table)] });
      const problem = refused(pipeline.body);
      assert.deepEqual(problem.refusedLabels, [label]);
      assert.equal(problem.step, 'features');
      assert.deepEqual(problem.errors?.map((e) => e.pointer), ['/steps/0/sql']);
      assert.ok(problem.detail.includes(table.toLowerCase()) && problem.detail.includes(label), problem.detail);
    }
    // Also in a join, behind a clean table.
    const joined = await api.post(api.keys.tenantA, '/pipelines', {
      name: 'joined',
      steps: [{ kind: 'featurize', name: 'features', sql: 'SELECT a.* FROM cmle_experience_events a JOIN cmle_events_no_data_science b ON a._id = b._id' }],
    });
    assert.deepEqual(refused(joined.body).refusedLabels, ['C9']);
    assert.equal(await pipelineCount(), before, 'nothing was written');
  });

  test('what the rules allow is accepted: clean datasets, sensitive sources of a featurization, references checked at run time', async () => {
    const accepted = await api.post(api.keys.tenantA, '/pipelines', {
      name: 'allowed',
      steps: [
        featurizeStep('cmle_sensitive_profiles'),
        { kind: 'export', name: 'training-set', datasetId: { fromStep: 'features', output: 'datasetId' }, destinationId, path: 'governance/ok' },
        { kind: 'export', name: 'events', datasetId: datasets['experience-events'], destinationId, path: 'governance/ok2' },
      ],
    });
    assert.equal(accepted.statusCode, 202, accepted.body);
  });
});

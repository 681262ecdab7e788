// The pipeline API: the definition is checked before anything starts (unknown step names, forward
// references, outputs of the wrong kind: a 400 naming the field), templates with typed parameters,
// cancel (the worker kills the running query) and retry from the failed step (earlier steps keep
// their outputs, the failed one runs again under a new generation), and rerun of an ended pipeline.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CMLE_EVENTS_TABLE } from '../../src/pipelines/cmle-example.js';
import type { PipelineView, TemplateView } from '../../src/pipelines/pipeline-schemas.js';
import { bodyOf } from '../support/api.js';
import { createDlz, getPipeline, startPipeline, startPipelineWorld, stepOf, waitForPipeline, type PipelineWorld } from './support.js';

let world: PipelineWorld;
let destinationId: string;
before(async () => {
  world = await startPipelineWorld({ simulator: { seedUsers: 30 } });
  destinationId = await createDlz(world.api);
});
after(async () => {
  await world.close();
});

interface Problem {
  code: string;
  errors?: { pointer: string; message: string }[];
}

const featurize = { kind: 'featurize', name: 'features', sql: `SELECT _cmle.userid AS userId FROM ${CMLE_EVENTS_TABLE}` };

describe('definition checks before anything starts', () => {
  const cases: [string, unknown[], string, RegExp][] = [
    ['an unknown step name', [featurize, { kind: 'export', name: 'out', datasetId: { fromStep: 'featurez', output: 'datasetId' }, destinationId: '', path: 'x' }], '/steps/1/datasetId/fromStep', /no step is named "featurez"/],
    [
      'a forward reference',
      [{ kind: 'export', name: 'out', datasetId: { fromStep: 'features', output: 'datasetId' }, destinationId: '', path: 'x' }, featurize],
      '/steps/0/datasetId/fromStep',
      /does not come before/,
    ],
    ['an output of the wrong kind', [featurize, { kind: 'ml', name: 'train', training: { fromStep: 'features', output: 'datasetId' } }], '/steps/1/training/output', /is a dataset id, but training takes a storage folder/],
    ['an output the step does not have', [featurize, { kind: 'ml', name: 'train', training: { fromStep: 'features', output: 'landed' } }], '/steps/1/training/output', /has no output "landed"/],
    ['a local path instead of a storage location', [{ kind: 'ml', name: 'train', training: 'cmle/egress' }], '/steps/0/training', /./],
    ['a storage path that climbs out', [{ kind: 'ingest', name: 'in', scores: { destinationId: '00000000-0000-4000-8000-000000000000', path: '../other/scores.json' } }], '/steps/0/scores/path', /must not contain \. or \.\. folders/],
    ['a step name used twice', [featurize, { ...featurize }], '/steps/1/name', /used twice/],
    ['a step of an unknown kind', [featurize, { kind: 'train', name: 'x' }], '/steps/1/kind', /./],
  ];
  for (const [what, steps, pointer, message] of cases) {
    test(`${what} is a 400 naming ${pointer}`, async () => {
      const withDestination = steps.map((s) => (typeof s === 'object' && s !== null && 'destinationId' in s ? { ...s, destinationId } : s));
      const response = await world.api.post(world.api.keys.tenantA, '/pipelines', { name: what, steps: withDestination });
      assert.equal(response.statusCode, 400, response.body);
      const problem = bodyOf<Problem>(response);
      assert.equal(problem.code, 'validation_error');
      const error = problem.errors?.find((e) => e.pointer === pointer);
      assert.ok(error, `${pointer} not named in ${response.body}`);
      assert.match(error.message, message);
    });
  }

  test('a destination of another tenant is a 404 naming the field; nothing was created', async () => {
    const theirs = bodyOf<{ id: string }>(await world.api.post(world.api.keys.tenantB, '/destinations', { type: 'dlz', name: 'b', params: {} })).id;
    const response = await world.api.post(world.api.keys.tenantA, '/pipelines', {
      name: 'foreign destination',
      steps: [featurize, { kind: 'export', name: 'out', datasetId: { fromStep: 'features', output: 'datasetId' }, destinationId: theirs, path: 'x' }],
    });
    assert.equal(response.statusCode, 404, response.body);
    assert.equal(bodyOf<Problem>(response).errors?.[0]?.pointer, '/steps/1/destinationId');
    const listed = bodyOf<{ items: { name: string }[] }>(await world.api.get(world.api.keys.tenantA, '/pipelines?limit=100')).items;
    assert.ok(!listed.some((p) => p.name === 'foreign destination' || cases.some(([what]) => p.name === what)));
  });

  test('another tenant\'s files, named as a storage location in an ml or ingest step, are a 404 naming the field', async () => {
    const theirs = bodyOf<{ id: string }>(await world.api.post(world.api.keys.tenantB, '/destinations', { type: 'dlz', name: 'b files', params: {} })).id;
    const attempts: [unknown[], string][] = [
      [[{ kind: 'ml', name: 'train', training: { destinationId: theirs, path: 'cmle/egress/ds' } }], '/steps/0/training/destinationId'],
      [[{ kind: 'ml', name: 'train', training: { destinationId, path: 'cmle/egress/ds' }, scores: { destinationId: theirs, path: 'mine' } }], '/steps/0/scores/destinationId'],
      [[{ kind: 'ingest', name: 'in', scores: { destinationId: theirs, path: 'scores/scores.json' } }], '/steps/0/scores/destinationId'],
    ];
    for (const [steps, pointer] of attempts) {
      const response = await world.api.post(world.api.keys.tenantA, '/pipelines', { name: 'foreign files', steps });
      assert.equal(response.statusCode, 404, response.body);
      const problem = bodyOf<Problem>(response);
      assert.equal(problem.code, 'not_found');
      assert.equal(problem.errors?.[0]?.pointer, pointer);
    }
    // The same definitions with tenant B's own key are accepted: it is ownership, not the shape.
    const own = await world.api.post(world.api.keys.tenantB, '/pipelines', { name: 'own files', steps: [{ kind: 'ingest', name: 'in', scores: { destinationId: theirs, path: 'scores/scores.json' } }] });
    assert.equal(own.statusCode, 202, own.body);
    await world.api.post(world.api.keys.tenantB, `/pipelines/${bodyOf<{ id: string }>(own).id}/cancel`, {});
  });

  test('an ml step over an SFTP destination is refused: SFTP has no signed URLs to hand the job', async () => {
    const sftp = await world.api.post(world.api.keys.tenantA, '/destinations', {
      type: 'sftp',
      name: 'sftp for ml',
      params: { domain: 'sftp.example.com', port: 22 },
      credentials: { authType: 'password', username: 'u', password: 'p' },
    });
    assert.equal(sftp.statusCode, 201, sftp.body);
    const sftpId = bodyOf<{ id: string }>(sftp).id;
    const response = await world.api.post(world.api.keys.tenantA, '/pipelines', {
      name: 'ml over sftp',
      steps: [featurize, { kind: 'export', name: 'out', datasetId: { fromStep: 'features', output: 'datasetId' }, destinationId: sftpId, path: 'x' }, { kind: 'ml', name: 'train', training: { fromStep: 'out', output: 'landed' } }],
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(bodyOf<Problem>(response).errors?.[0]?.pointer, '/steps/2/training');
    assert.match(bodyOf<Problem>(response).errors?.[0]?.message ?? '', /SFTP/);
  });
});

describe('templates', () => {
  let template: TemplateView;
  before(async () => {
    const response = await world.api.post(world.api.keys.tenantA, '/pipeline-templates', {
      name: 'counts per user',
      steps: [{ kind: 'featurize', name: 'features', sql: `SELECT _cmle.userid AS userId, count(*) AS events FROM {{table}} GROUP BY 1 HAVING count(*) >= {{minEvents}}` }],
      parameters: { table: { type: 'string', default: CMLE_EVENTS_TABLE }, minEvents: { type: 'integer' } },
    });
    assert.equal(response.statusCode, 201, response.body);
    template = bodyOf<TemplateView>(response);
  });

  test('a template is started again with parameters, checked by type', async () => {
    const missing = await world.api.post(world.api.keys.tenantA, `/pipeline-templates/${template.id}/start`, { parameters: {} });
    assert.equal(missing.statusCode, 400);
    assert.equal(bodyOf<Problem>(missing).errors?.[0]?.pointer, '/parameters/minEvents');
    const wrongType = await world.api.post(world.api.keys.tenantA, `/pipeline-templates/${template.id}/start`, { parameters: { minEvents: 'two' } });
    assert.equal(wrongType.statusCode, 400);
    const unknown = await world.api.post(world.api.keys.tenantA, `/pipeline-templates/${template.id}/start`, { parameters: { minEvents: 1, other: 'x' } });
    assert.equal(unknown.statusCode, 400);

    const runs: PipelineView[] = [];
    for (const minEvents of [1, 1_000_000]) {
      const started = await world.api.post(world.api.keys.tenantA, `/pipeline-templates/${template.id}/start`, { name: `min ${minEvents}`, parameters: { minEvents } });
      assert.equal(started.statusCode, 202, started.body);
      const view = bodyOf<PipelineView>(started);
      assert.equal(view.templateId, template.id);
      assert.deepEqual(view.parameters, { table: CMLE_EVENTS_TABLE, minEvents });
      assert.match(String(view.definition.steps[0]?.sql), new RegExp(`FROM ${CMLE_EVENTS_TABLE} GROUP BY 1 HAVING count\\(\\*\\) >= ${minEvents}$`));
      runs.push(await waitForPipeline(world.api, view.id));
    }
    // The same template, two runs, two tables: the first has rows, the second none (and fails so).
    assert.equal(runs[0]?.status, 'succeeded', JSON.stringify(runs[0]?.error));
    assert.ok(Number(stepOf(runs[0], 'features').outputs.rowCount) > 0);
    assert.equal(runs[1]?.status, 'failed');
    assert.equal(runs[1]?.error?.code, 'no_rows');
    assert.notEqual(stepOf(runs[0], 'features').outputs.tableName, stepOf(runs[1], 'features').externalIds.tableName);

    const listed = bodyOf<{ items: { id: string }[] }>(await world.api.get(world.api.keys.tenantA, '/pipeline-templates')).items.map((t) => t.id);
    assert.ok(listed.includes(template.id));
    const filtered = bodyOf<{ items: { id: string }[] }>(await world.api.get(world.api.keys.tenantA, `/pipelines?templateId=${template.id}`)).items.map((p) => p.id);
    assert.deepEqual(new Set(filtered), new Set(runs.map((r) => r.id)));
  });

  test('undeclared placeholders and a taken name are refused', async () => {
    const undeclared = await world.api.post(world.api.keys.tenantA, '/pipeline-templates', { name: 'bad', steps: [{ kind: 'featurize', name: 'f', sql: 'SELECT {{nope}}' }] });
    assert.equal(undeclared.statusCode, 400);
    assert.equal(bodyOf<Problem>(undeclared).errors?.[0]?.pointer, '/parameters/nope');
    const taken = await world.api.post(world.api.keys.tenantA, '/pipeline-templates', { name: 'counts per user', steps: [featurize] });
    assert.equal(taken.statusCode, 409);
  });
});

describe('cancel and retry', () => {
  test('cancel stops the pipeline and the worker kills its running query', async () => {
    const accepted = await startPipeline(world.api, { name: 'to cancel', steps: [{ kind: 'featurize', name: 'features', sql: 'SELECT sum(hash(i)) AS s FROM range(100000000000000) t(i)' }] });
    const running = await waitForPipeline(world.api, accepted.id, (p) => typeof stepOf(p, 'features').externalIds.queryId === 'string');
    const cancelled = await world.api.post(world.api.keys.tenantA, `/pipelines/${accepted.id}/cancel`);
    assert.equal(cancelled.statusCode, 202);
    assert.equal(bodyOf<PipelineView>(cancelled).status, 'cancelled');
    const settled = await waitForPipeline(world.api, accepted.id, (p) => stepOf(p, 'features').state === 'cancelled');
    assert.equal(settled.status, 'cancelled');
    const queryId = String(stepOf(running, 'features').externalIds.queryId);
    const query = (await (await fetch(`${world.sim.url}/data/foundation/query/queries/${queryId}`, { headers: await world.sim.headers() })).json()) as { state: string };
    assert.equal(query.state, 'KILLED');
    assert.equal((await world.api.post(world.api.keys.tenantA, `/pipelines/${accepted.id}/retry`)).statusCode, 409);
  });

  test('retry runs the failed step again; the steps before it keep their outputs', async () => {
    const table = `retry_source_${randomBytes(4).toString('hex')}`;
    const accepted = await startPipeline(world.api, {
      name: 'retry me',
      steps: [featurize, { kind: 'featurize', name: 'second', sql: `SELECT userId FROM ${table}` }],
    });
    const failed = await waitForPipeline(world.api, accepted.id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.step, 'second');
    assert.equal(failed.error?.code, 'query_failed');
    assert.equal(failed.error?.platformCode, '42P01');

    // The missing table appears (made here, straight at the Query Service).
    const created = await fetch(`${world.sim.url}/data/foundation/query/queries`, {
      method: 'POST',
      headers: await world.sim.headers(),
      body: JSON.stringify({ dbName: `${world.sim.sandbox}:all`, sql: `CREATE TABLE ${table} AS SELECT _cmle.userid AS userId FROM ${CMLE_EVENTS_TABLE} LIMIT 5` }),
    });
    assert.equal(created.status, 202);
    const createdId = ((await created.json()) as { id: string }).id;
    for (let state = ''; state !== 'SUCCESS'; ) {
      state = ((await (await fetch(`${world.sim.url}/data/foundation/query/queries/${createdId}`, { headers: await world.sim.headers() })).json()) as { state: string }).state;
      assert.ok(['SUBMITTED', 'IN_PROGRESS', 'SUCCESS'].includes(state), state);
    }

    const retried = await world.api.post(world.api.keys.tenantA, `/pipelines/${accepted.id}/retry`);
    assert.equal(retried.statusCode, 202, retried.body);
    assert.equal(bodyOf<PipelineView>(retried).currentStep, 'second');
    const done = await waitForPipeline(world.api, accepted.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(stepOf(done, 'features').externalIds, stepOf(failed, 'features').externalIds);
    assert.equal(stepOf(done, 'features').generation, 0);
    assert.equal(stepOf(done, 'second').generation, 1);
    assert.notEqual(stepOf(done, 'second').externalIds.queryId, stepOf(failed, 'second').externalIds.queryId);
    assert.equal(stepOf(done, 'second').outputs.rowCount, 5);
  });
});

describe('rerun', () => {
  test('an active pipeline is a 409; once cancelled it can run again', async () => {
    const slow = { kind: 'featurize', name: 'features', sql: 'SELECT sum(hash(i)) AS s FROM range(100000000000000) t(i)' };
    const accepted = await startPipeline(world.api, { name: 'rerun while active', steps: [slow] });
    await waitForPipeline(world.api, accepted.id, (p) => typeof stepOf(p, 'features').externalIds.queryId === 'string');
    const active = await world.api.post(world.api.keys.tenantA, `/pipelines/${accepted.id}/rerun`);
    assert.equal(active.statusCode, 409, active.body);
    assert.match(bodyOf<{ detail: string }>(active).detail, /wait for it to end/);
    assert.equal((await world.api.post(world.api.keys.tenantA, `/pipelines/${accepted.id}/cancel`)).statusCode, 202);
    const again = await world.api.post(world.api.keys.tenantA, `/pipelines/${accepted.id}/rerun`);
    assert.equal(again.statusCode, 202, again.body);
    const second = bodyOf<PipelineView>(again);
    assert.equal(second.status, 'queued');
    await waitForPipeline(world.api, second.id, (p) => typeof stepOf(p, 'features').externalIds.queryId === 'string');
    assert.equal((await world.api.post(world.api.keys.tenantA, `/pipelines/${second.id}/cancel`)).statusCode, 202);
    // Both slow queries are killed before the next test needs the Query Service.
    const settled = (p: PipelineView) => p.steps.every((step) => !['running', 'waiting', 'cancelling'].includes(step.state));
    for (const id of [accepted.id, second.id]) assert.equal((await waitForPipeline(world.api, id, settled)).status, 'cancelled');
  });

  test('a succeeded pipeline runs again from the start as a new pipeline', async () => {
    const first = await startPipeline(world.api, { name: 'rerun me', steps: [featurize] });
    const succeeded = await waitForPipeline(world.api, first.id);
    assert.equal(succeeded.status, 'succeeded', JSON.stringify(succeeded.error));
    assert.equal((await world.api.post(world.api.keys.tenantA, `/pipelines/${first.id}/retry`)).statusCode, 409, 'retry is for failed pipelines only');

    const rerun = await world.api.post(world.api.keys.tenantA, `/pipelines/${first.id}/rerun`);
    assert.equal(rerun.statusCode, 202, rerun.body);
    const second = bodyOf<PipelineView>(rerun);
    assert.notEqual(second.id, first.id);
    assert.equal(rerun.headers.location, `${world.api.config.http.publicUrl}/pipelines/${second.id}`);
    assert.equal(second.name, 'rerun me');
    assert.deepEqual(second.definition, succeeded.definition);
    const done = await waitForPipeline(world.api, second.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    // Its own query and table; the first run is untouched, except that the newer run's success
    // may already have removed the first run's leftovers (docs/operations.md, PIPELINE_RETAIN_RUNS).
    assert.notEqual(stepOf(done, 'features').externalIds.queryId, stepOf(succeeded, 'features').externalIds.queryId);
    const withoutLeftoversMark = (view: PipelineView): PipelineView => ({
      ...view,
      steps: view.steps.map((step) => {
        const { leftoversRemovedAt: _removed, ...externalIds } = step.externalIds;
        return { ...step, externalIds };
      }),
    });
    assert.deepEqual(withoutLeftoversMark(await getPipeline(world.api, first.id)), withoutLeftoversMark(succeeded));
    // Another tenant cannot rerun it.
    assert.equal((await world.api.post(world.api.keys.tenantB, `/pipelines/${first.id}/rerun`)).statusCode, 404);
  });
});

// Pipeline leftovers: every run creates its own CTAS dataset, segment definition and activation
// flow (with source and target connections). Once a newer run of the same pipeline name
// succeeds, the older runs' objects are deleted (PIPELINE_RETAIN_RUNS, default 1), so the
// sandbox's dataset list stays the same size however often the pipeline runs. The Platform calls
// are checked against Adobe's specs (catalog.yaml deleteDataset, segmentation.yaml
// deleteSegmentDefinition, flow-service.yaml deletes) by the contract check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { createDlz, getPipeline, startPipeline, startPipelineWorld, stepOf, waitForPipeline, type PipelineWorld } from './support.js';

let world: PipelineWorld;
before(async () => {
  world = await startPipelineWorld({ simulator: { seedUsers: 60 } });
});
after(async () => {
  await world.close();
});

async function platformGet(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${world.sim.url}${path}`, { headers: await world.sim.headers() });
  return { status: res.status, body: (await res.json()) };
}

async function datasetIds(): Promise<string[]> {
  const { body } = await platformGet('/data/foundation/catalog/dataSets?limit=100');
  return Object.keys(body as Record<string, unknown>);
}

function steps(destinationId: string) {
  return [
    { kind: 'featurize', name: 'features', sql: 'SELECT _cmle.userid AS userId, count(*) AS events FROM cmle_experience_events GROUP BY 1' },
    { kind: 'audience', name: 'audience', pql: '_cmle.age >= 30' },
    { kind: 'activate', name: 'activate', segmentId: { fromStep: 'audience', output: 'segmentId' }, destinationId, path: 'leftovers/audiences' },
  ];
}

async function run(destinationId: string): Promise<PipelineView> {
  const accepted = await startPipeline(world.api, { name: 'nightly audience', steps: steps(destinationId) });
  const done = await waitForPipeline(world.api, accepted.id, undefined, 120_000);
  assert.equal(done.status, 'succeeded', JSON.stringify(done.steps.map((s) => [s.name, s.state, s.error])));
  return done;
}

const output = (p: PipelineView, step: string, key: string): string => {
  const value = (stepOf(p, step).outputs)[key];
  assert.equal(typeof value, 'string', `${step}.${key}`);
  return value as string;
};

test("a newer successful run removes the previous run's dataset, segment and activation flow", async () => {
  const destinationId = await createDlz(world.api);
  const first = await run(destinationId);
  const afterFirst = await datasetIds();
  assert.ok(afterFirst.includes(output(first, 'features', 'datasetId')));

  const second = await run(destinationId);
  const third = await run(destinationId);
  // The clean-up follows the run's success (it never holds the run back): wait for it to land.
  const secondDataset = output(second, 'features', 'datasetId');
  let afterThird = await datasetIds();
  for (let i = 0; i < 300 && afterThird.includes(secondDataset); i++) {
    await sleep(100);
    afterThird = await datasetIds();
  }
  // Same size as after one run: each run's CTAS dataset (and the simulator's audience snapshot)
  // replaced the previous one instead of piling up.
  assert.equal(afterThird.length, afterFirst.length, `datasets after 1 run: ${afterFirst.length}, after 3: ${afterThird.length}`);

  for (const older of [first, second]) {
    assert.ok(!afterThird.includes(output(older, 'features', 'datasetId')), 'older CTAS dataset deleted');
    assert.equal((await platformGet(`/data/core/ups/segment/definitions/${output(older, 'audience', 'segmentId')}`)).status, 404, 'older segment deleted');
    assert.equal((await platformGet(`/data/foundation/flowservice/flows/${output(older, 'activate', 'flowId')}`)).status, 404, 'older activation flow deleted');
  }
  const older = (await getPipeline(world.api, first.id)).steps.map((s) => [s.name, typeof s.externalIds.leftoversRemovedAt]);
  assert.deepEqual(older, [['features', 'string'], ['audience', 'string'], ['activate', 'string']], 'the older run shows its objects were removed');
  // The newest run keeps everything it made.
  assert.ok(afterThird.includes(output(third, 'features', 'datasetId')));
  assert.equal((await platformGet(`/data/core/ups/segment/definitions/${output(third, 'audience', 'segmentId')}`)).status, 200);
  assert.equal((await platformGet(`/data/foundation/flowservice/flows/${output(third, 'activate', 'flowId')}`)).status, 200);
  const deletes = world.sim.contract?.checked.filter((c) => c.method === 'DELETE').map((c) => c.operationId) ?? [];
  for (const operation of ['deleteDataset', 'deleteSegmentDefinition']) assert.ok(deletes.includes(operation), `${operation} sent and checked against the spec`);
});

// A featurization query that ends KILLED or TIMEOUT, or a CTAS that succeeds but writes no rows,
// fails the pipeline with that reason (the notebooks' poller knew only SUCCESS and FAILED, and an
// anonymous block could turn a failure into an empty SUCCESS: CMLE pitfalls 1 and 2).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CMLE_EVENTS_TABLE } from '../../src/pipelines/cmle-example.js';
import { getPipeline, setPipelineSettings, startPipeline, startPipelineWorld, stepOf, waitForPipeline, type PipelineWorld } from './support.js';

let world: PipelineWorld;
before(async () => {
  world = await startPipelineWorld({ simulator: { seedUsers: 40 } });
});
after(async () => {
  await world.close();
});

const featurizeOnly = (name: string, sql: string) => ({ name, steps: [{ kind: 'featurize', name: 'features', sql }] });
const endless = 'SELECT sum(hash(i)) AS total FROM range(100000000000000) t(i)';

test('a CTAS that succeeds with no rows fails the pipeline: "the featurization query wrote no rows"', async () => {
  const accepted = await startPipeline(world.api, featurizeOnly('empty', `SELECT _cmle.userid AS userId FROM ${CMLE_EVENTS_TABLE} WHERE 1 = 0`));
  const done = await waitForPipeline(world.api, accepted.id);
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.code, 'no_rows');
  assert.match(done.error?.message ?? '', /the featurization query wrote no rows/i);
  assert.equal(done.error?.step, 'features');
  const step = stepOf(done, 'features');
  assert.equal(step.state, 'failed');
  assert.equal(step.error?.code, 'no_rows');
  // The query itself succeeded at the Query Service with rowCount 0: the service caught it.
  const query = await fetch(`${world.sim.url}/data/foundation/query/queries/${String(step.externalIds.queryId)}`, { headers: await world.sim.headers() });
  const body = (await query.json()) as { state: string; rowCount: number };
  assert.deepEqual({ state: body.state, rowCount: body.rowCount }, { state: 'SUCCESS', rowCount: 0 });
});

test('a query past the Query Service time limit ends TIMEOUT and fails the pipeline with that reason', async () => {
  await setPipelineSettings(world.sim, { queryTimeoutMs: 300 });
  try {
    const accepted = await startPipeline(world.api, featurizeOnly('too slow', endless));
    const done = await waitForPipeline(world.api, accepted.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, 'query_timeout');
    assert.match(done.error?.message ?? '', /TIMEOUT/);
    assert.equal(done.error?.platformCode, '53400');
  } finally {
    await setPipelineSettings(world.sim, { queryTimeoutMs: 600_000 });
  }
});

test('a query cancelled at the Query Service ends KILLED and fails the pipeline with that reason', async () => {
  const accepted = await startPipeline(world.api, featurizeOnly('killed', endless));
  const running = await waitForPipeline(world.api, accepted.id, (p) => typeof stepOf(p, 'features').externalIds.queryId === 'string');
  const queryId = String(stepOf(running, 'features').externalIds.queryId);
  const cancel = await fetch(`${world.sim.url}/data/foundation/query/queries/${queryId}`, { method: 'PATCH', headers: await world.sim.headers(), body: JSON.stringify({ op: 'cancel' }) });
  assert.equal(cancel.status, 202, await cancel.text());
  const done = await waitForPipeline(world.api, accepted.id);
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.code, 'query_killed');
  assert.match(done.error?.message ?? '', /KILLED/);
  assert.equal(done.error?.platformCode, '57014');
  assert.equal((await getPipeline(world.api, accepted.id)).steps[0]?.state, 'failed');
});

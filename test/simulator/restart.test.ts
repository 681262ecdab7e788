// State lives in Postgres: a simulator restarted on the same schema finds its entities, etags
// and tokens again, so crash tests of the service can restart every process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../support/simulator.js';
import { createChain, FS } from './helpers/fixtures.js';
import { call, items, obj } from './helpers/platform-call.js';

test('entities, etags and issued tokens survive a restart on the same schema', async () => {
  const sim = await startSimulator();
  try {
    const chain = await createChain(sim, 'dataLandingZone', 'survivor', 'survivor-flow');
    const disabled = await call(sim, { method: 'POST', path: `${FS}/flows/${chain.flowId}/action?op=disable` });
    const urlBefore = sim.url;

    await sim.restart();
    assert.notEqual(sim.url, urlBefore, 'a new process (port 0 picks a new port)');

    const [flow] = items((await call(sim, { method: 'GET', path: `${FS}/flows/${chain.flowId}` })).body);
    assert.equal(flow?.state, 'disabled');
    assert.equal(flow?.etag, obj(disabled.body).etag);
    for (const [collection, id] of [
      ['connections', chain.baseConnectionId],
      ['sourceConnections', chain.sourceConnectionId],
      ['targetConnections', chain.targetConnectionId],
    ] as const) {
      assert.equal((await call(sim, { method: 'GET', path: `${FS}/${collection}/${id}` })).status, 200, collection);
    }
    const byName = await call(sim, { method: 'GET', path: `${FS}/flows?property=name==survivor-flow` });
    assert.deepEqual(items(byName.body).map((f) => f.id), [chain.flowId]);

    const patched = await call(sim, {
      method: 'PATCH',
      path: `${FS}/flows/${chain.flowId}`,
      headers: { 'if-match': String(flow?.etag) },
      body: [{ op: 'replace', path: '/name', value: 'after-restart' }],
    });
    assert.equal(patched.status, 200, 'the etag from before the restart still matches');
  } finally {
    await sim.close();
  }
});

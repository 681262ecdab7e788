// Dataflows over HTTP: create for every destination, the fields of reference 2.9, list filters
// (name, sourceConnectionIds[], isDestinationFlow), PATCH with If-Match, actions, DELETE.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import {
  baseConnectionBody,
  createChain,
  DATA_LAKE_SOURCE_SPEC_ID,
  DESTINATION_KEYS,
  DESTINATION_SPEC_IDS,
  flowBody,
  FS,
  sourceConnectionBody,
  START_TIME_SECONDS,
  targetConnectionBody,
} from './helpers/fixtures.js';
import { call, items, obj, type PlatformExchange } from './helpers/platform-call.js';
import { assertMatchesSpec } from './helpers/spec-check.js';

async function assertFlowResponse(exchange: PlatformExchange): Promise<void> {
  await assertMatchesSpec(exchange, { file: 'destinations.yaml', deviations: ['datasetFlowsAreNotStreaming'] });
  await assertMatchesSpec(exchange, { file: 'flow-service.yaml', deviations: ['sourcesScheduleIntervalIsString'] });
}

describe('flows', () => {
  let clock = Date.now();
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator({ notReadySeconds: 600, now: () => clock });
  });
  after(async () => sim.close());

  for (const destination of DESTINATION_KEYS) {
    test(`create a ${destination} dataset export flow and read it back`, async () => {
      const chain = await createChain(sim, destination, `dataset-${destination}`, `flow-${destination}`);
      const read = await call(sim, { method: 'GET', path: `${FS}/flows/${chain.flowId}` });
      assert.equal(read.status, 200);
      await assertFlowResponse(read);
      const [flow] = items(read.body);
      assert.ok(flow);
      assert.equal(flow.id, chain.flowId);
      assert.equal(flow.etag, chain.flowEtag);
      assert.equal(flow.version, chain.flowEtag);
      assert.equal(flow.state, 'enabled');
      assert.deepEqual(flow.flowSpec, { id: DESTINATION_SPEC_IDS[destination].flowSpecId, version: '1.0' });
      assert.deepEqual(flow.sourceConnectionIds, [chain.sourceConnectionId]);
      assert.deepEqual(flow.targetConnectionIds, [chain.targetConnectionId]);
      assert.deepEqual(flow.transformations, []);
      assert.deepEqual(flow.scheduleParams, { interval: 3, timeUnit: 'hour', startTime: START_TIME_SECONDS });
      assert.equal(flow.runs, `/runs?property=flowId==${chain.flowId}`);
      const connectionSpec = { id: DESTINATION_SPEC_IDS[destination].connectionSpecId, version: '1.0' };
      assert.deepEqual(flow.inheritedAttributes, {
        properties: { isDestinationFlow: true },
        sourceConnections: [{ id: chain.sourceConnectionId, connectionSpec: { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' } }],
        targetConnections: [{ id: chain.targetConnectionId, connectionSpec, baseConnection: { id: chain.baseConnectionId, connectionSpec } }],
      });
      assert.equal(obj(flow.lastOperation).operation, 'create');
      assert.equal(flow.__sim, undefined);
      assert.equal(flow.imsOrgId, sim.orgId);
    });
  }

  test('the create request itself matches destinations.yaml', async () => {
    const base = obj((await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('s3') })).body);
    const source = obj((await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body: sourceConnectionBody('specDataset') })).body);
    const target = obj((await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('s3', String(base.id)) })).body);
    const created = await call(sim, { method: 'POST', path: `${FS}/flows`, body: flowBody('s3', String(source.id), String(target.id)) });
    assert.equal(created.status, 201);
    await assertMatchesSpec(created, { file: 'destinations.yaml' });
    await assertMatchesSpec(created, { file: 'flow-service.yaml', deviations: ['sourcesScheduleIntervalIsStringRequest'] });
  });

  test('refuses unknown flow specs, missing version, bad schedules, and mismatched connections', async () => {
    const chain = await createChain(sim, 'gcs', 'refusals');
    const valid = flowBody('gcs', chain.sourceConnectionId, chain.targetConnectionId);
    const post = (body: unknown) => call(sim, { method: 'POST', path: `${FS}/flows`, body });

    assert.deepEqual((await post({ ...valid, flowSpec: { id: 'nope', version: '1.0' } })).body, { message: 'Please provide a valid spec id' });
    assert.equal((await post({ ...valid, flowSpec: { id: DESTINATION_SPEC_IDS.gcs.flowSpecId } })).status, 422);
    const schedules: unknown[] = [
      { interval: 2, timeUnit: 'hour', startTime: START_TIME_SECONDS },
      { interval: 3, timeUnit: 'minute', startTime: START_TIME_SECONDS },
      { interval: 1, timeUnit: 'day', startTime: START_TIME_SECONDS * 1000 },
      { interval: 1, timeUnit: 'day', startTime: START_TIME_SECONDS, exportMode: 'DAILY_FULL_EXPORT' },
      { interval: 0, timeUnit: 'day', startTime: START_TIME_SECONDS },
      { interval: 8, timeUnit: 'hour', startTime: START_TIME_SECONDS },
      { interval: 'three', timeUnit: 'hour', startTime: START_TIME_SECONDS },
      { interval: 3, timeUnit: 'hour', startTime: START_TIME_SECONDS, endTime: START_TIME_SECONDS - 1 },
      undefined,
    ];
    for (const scheduleParams of schedules) {
      const response = await post({ ...valid, scheduleParams });
      assert.equal(response.status, 400, JSON.stringify(scheduleParams));
      await assertMatchesSpec(response, { file: 'destinations.yaml', skipRequest: true, deviations: ['validationErrorsUndocumented'] });
    }
    const oneTime = await post({ ...valid, scheduleParams: { interval: 0, timeUnit: 'day', startTime: START_TIME_SECONDS, exportMode: 'DAILY_FULL_EXPORT' } });
    assert.equal(oneTime.status, 201, 'a one-time full export is day + interval 0 + DAILY_FULL_EXPORT');

    assert.equal((await post({ ...valid, sourceConnectionIds: ['missing'] })).status, 400);
    assert.equal((await post({ ...valid, targetConnectionIds: ['missing'] })).status, 400);
    assert.equal((await post({ ...valid, sourceConnectionIds: [] })).status, 400);
    const s3 = await createChain(sim, 's3', 'other');
    const wrongDestination = await post({ ...valid, targetConnectionIds: [s3.targetConnectionId] });
    assert.equal(wrongDestination.status, 400, 'a GCS flow spec cannot feed an S3 target connection');
  });

  test('list flows by name, by source connection, destination flows only; count and pages', async () => {
    const chain = await createChain(sim, 'dataLandingZone', 'listing', 'listed-flow');
    const byName = await call(sim, { method: 'GET', path: `${FS}/flows?property=name==listed-flow` });
    assert.deepEqual(items(byName.body).map((f) => f.id), [chain.flowId]);
    await assertFlowResponse(byName);

    const bySource = await call(sim, { method: 'GET', path: `${FS}/flows?property=sourceConnectionIds[]==${chain.sourceConnectionId}` });
    assert.deepEqual(items(bySource.body).map((f) => f.id), [chain.flowId]);

    const both = await call(sim, { method: 'GET', path: `${FS}/flows?property=name==listed-flow&property=sourceConnectionIds[]==someone-else` });
    assert.deepEqual(items(both.body), [], 'repeated property filters are ANDed');

    const byDestination = await call(sim, {
      method: 'GET',
      path: `${FS}/flows?property=inheritedAttributes.targetConnections[].connectionSpec.id==${DESTINATION_SPEC_IDS.dataLandingZone.connectionSpecId}&count=true`,
    });
    const allDlz = (await call(sim, { method: 'GET', path: `${FS}/flows` })).body;
    const expectedDlz = items(allDlz).filter((f) => obj(f.flowSpec).id === DESTINATION_SPEC_IDS.dataLandingZone.flowSpecId).length;
    assert.deepEqual(byDestination.body, { count: expectedDlz });

    const destinationOnly = await call(sim, { method: 'GET', path: `${FS}/flows?property=inheritedAttributes.properties.isDestinationFlow==true&count=true` });
    const total = await call(sim, { method: 'GET', path: `${FS}/flows?count=true` });
    assert.deepEqual(destinationOnly.body, total.body);

    const firstPage = await call(sim, { method: 'GET', path: `${FS}/flows?limit=2` });
    await assertFlowResponse(firstPage);
    const next = String(obj(obj(obj(firstPage.body)._links).next).href);
    const token = new URL(next, 'http://x').searchParams.get('continuationToken');
    assert.ok(token);
    const secondPage = await call(sim, { method: 'GET', path: `${FS}/flows?limit=2&continuationToken=${encodeURIComponent(token)}` });
    const ids = [...items(firstPage.body), ...items(secondPage.body)].map((f) => f.id);
    assert.equal(new Set(ids).size, 4);
  });

  test('PATCH scheduleParams the way aepp does (Replace, only startTime) and then with the documented form', async () => {
    const chain = await createChain(sim, 's3', 'patching');
    const path = `${FS}/flows/${chain.flowId}`;
    const later = START_TIME_SECONDS + 365 * 86400;
    const aepp = await call(sim, { method: 'PATCH', path, headers: { 'if-match': chain.flowEtag }, body: [{ op: 'Replace', path: '/scheduleParams', value: { startTime: later } }] });
    assert.equal(aepp.status, 200, JSON.stringify(aepp.body));
    await assertMatchesSpec(aepp, { file: 'destinations.yaml', deviations: ['patchValueOneOfAmbiguous', 'patchOpCapitalised'] });
    const etag1 = String(obj(aepp.body).etag);
    assert.notEqual(etag1, chain.flowEtag);
    let [flow] = items((await call(sim, { method: 'GET', path })).body);
    assert.deepEqual(flow?.scheduleParams, { interval: 3, timeUnit: 'hour', startTime: later });
    assert.equal(flow?.etag, etag1);
    assert.equal(obj(flow?.lastOperation).operation, 'update');

    const documented = await call(sim, {
      method: 'PATCH',
      path,
      headers: { 'if-match': etag1 },
      body: [{ op: 'replace', path: '/scheduleParams', value: { interval: 1, timeUnit: 'day', startTime: later, endTime: later + 86400 } }],
    });
    assert.equal(documented.status, 200);
    [flow] = items((await call(sim, { method: 'GET', path })).body);
    assert.deepEqual(flow?.scheduleParams, { interval: 1, timeUnit: 'day', startTime: later, endTime: later + 86400 });

    const stale = await call(sim, { method: 'PATCH', path, headers: { 'if-match': etag1 }, body: [{ op: 'replace', path: '/scheduleParams', value: { startTime: later } }] });
    assert.equal(stale.status, 412);
    await assertMatchesSpec(stale, { file: 'destinations.yaml', deviations: ['patchValueOneOfAmbiguous'] });
    const invalid = await call(sim, { method: 'PATCH', path, headers: { 'if-match': String(obj(documented.body).etag) }, body: [{ op: 'replace', path: '/scheduleParams/interval', value: 5 }] });
    assert.equal(invalid.status, 400);
    const immutable = await call(sim, { method: 'PATCH', path, headers: { 'if-match': String(obj(documented.body).etag) }, body: [{ op: 'replace', path: '/state', value: 'disabled' }] });
    assert.equal(immutable.status, 400, 'state changes only through actions');
  });

  test('PATCH /sourceConnectionIds swaps the exported dataset and updates inheritedAttributes', async () => {
    const chain = await createChain(sim, 'azureBlob', 'first-dataset');
    const second = obj((await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body: sourceConnectionBody('second-dataset') })).body);
    const path = `${FS}/flows/${chain.flowId}`;
    const patched = await call(sim, { method: 'PATCH', path, headers: { 'if-match': chain.flowEtag }, body: [{ op: 'replace', path: '/sourceConnectionIds', value: [second.id] }] });
    assert.equal(patched.status, 200);
    await assertMatchesSpec(patched, { file: 'destinations.yaml', deviations: ['patchValueOneOfAmbiguous'] });
    const [flow] = items((await call(sim, { method: 'GET', path })).body);
    assert.deepEqual(flow?.sourceConnectionIds, [second.id]);
    assert.deepEqual(obj(flow?.inheritedAttributes).sourceConnections, [{ id: second.id, connectionSpec: { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' } }]);
    const byOld = await call(sim, { method: 'GET', path: `${FS}/flows?property=sourceConnectionIds[]==${chain.sourceConnectionId}&count=true` });
    assert.deepEqual(byOld.body, { count: 0 });
    const missing = await call(sim, { method: 'PATCH', path, headers: { 'if-match': String(obj(patched.body).etag) }, body: [{ op: 'replace', path: '/sourceConnectionIds', value: ['missing'] }] });
    assert.equal(missing.status, 400);
  });

  test('actions disable and enable (any case, no body) change state and etag; enable restarts the not-ready window', async () => {
    const chain = await createChain(sim, 'sftp', 'actions');
    const path = `${FS}/flows/${chain.flowId}`;
    const readyAt = async () => (await sim.ctx.entities.get<{ __sim: { readyAt: number } }>({ orgId: sim.orgId, sandbox: sim.sandbox }, 'flow', chain.flowId))?.body.__sim.readyAt;
    assert.equal(await readyAt(), clock + 600_000, 'readyAt = creation + notReadySeconds');

    const disabled = await call(sim, { method: 'POST', path: `${path}/action?op=disable` });
    assert.equal(disabled.status, 200);
    await assertMatchesSpec(disabled, { file: 'flow-service.yaml', deviations: ['flowActionWithoutSubOp'] });
    assert.notEqual(obj(disabled.body).etag, chain.flowEtag);
    let [flow] = items((await call(sim, { method: 'GET', path })).body);
    assert.equal(flow?.state, 'disabled');
    assert.equal(flow?.etag, obj(disabled.body).etag);

    const again = await call(sim, { method: 'POST', path: `${path}/action?op=DISABLE` });
    assert.equal(again.status, 200);
    assert.equal(obj(again.body).etag, obj(disabled.body).etag, 'a no-op action keeps the etag');

    clock += 3_600_000;
    const enabled = await call(sim, { method: 'POST', path: `${path}/action?op=Enable` });
    assert.equal(enabled.status, 200);
    [flow] = items((await call(sim, { method: 'GET', path })).body);
    assert.equal(flow?.state, 'enabled');
    assert.equal(await readyAt(), clock + 600_000, 'enable restarts the window');

    assert.equal((await call(sim, { method: 'POST', path: `${path}/action?op=publish` })).status, 400);
    assert.equal((await call(sim, { method: 'POST', path: `${path}/action` })).status, 400);
    assert.equal((await call(sim, { method: 'POST', path: `${path}/action?op=enable`, headers: { 'if-match': '"stale"' } })).status, 412);
    const unknown = await call(sim, { method: 'POST', path: `${FS}/flows/no-such-flow/action?op=enable` });
    assert.equal(unknown.status, 404);
  });

  test('DELETE answers 202; the flow is gone afterwards', async () => {
    const chain = await createChain(sim, 'adlsGen2', 'deleting');
    const path = `${FS}/flows/${chain.flowId}`;
    const deleted = await call(sim, { method: 'DELETE', path });
    assert.equal(deleted.status, 202);
    await assertMatchesSpec(deleted, { file: 'destinations.yaml' });
    const gone = await call(sim, { method: 'GET', path });
    assert.equal(gone.status, 404);
    assert.equal(obj(gone.body).errorMessage, `flows not found with id = [${chain.flowId}]`);
    await assertMatchesSpec(gone, { file: 'destinations.yaml' });
    const patch = await call(sim, { method: 'PATCH', path, headers: { 'if-match': chain.flowEtag }, body: [{ op: 'replace', path: '/name', value: 'x' }] });
    assert.equal(patch.status, 404);
  });
});

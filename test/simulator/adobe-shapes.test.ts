// The simulator follows Adobe's published shapes where the issue-14 review found it stricter or
// looser than the Platform: audience targets with `fileType` (the old `datasetFileType` shape is
// refused for audience flows), SAS connection strings, a partial view of base connections, the
// 1/3/6/9/12 interval enum and aepp's string interval, the exportable-datasets list by a
// destination's spec id, octet-stream batch uploads, and the per-destination path patterns.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { baseConnectionBody, DESTINATION_SPEC_IDS, flowBody, FS, sourceConnectionBody, START_TIME_SECONDS, targetConnectionBody } from './helpers/fixtures.js';
import { call, items, obj } from './helpers/platform-call.js';

const PROFILE_STORE = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';

describe("the simulator keeps to Adobe's shapes", () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator({ seedUsers: 20 });
  });
  after(() => sim.close());

  async function created(collection: string, body: unknown): Promise<string> {
    const response = await call(sim, { method: 'POST', path: `${FS}/${collection}`, body });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return String(obj(response.body).id);
  }

  test('an audience flow needs a fileType target (SegmentTargetConnectionParams_V2); the old datasetFileType shape is refused', async () => {
    const base = await created('connections', baseConnectionBody('dataLandingZone'));
    const source = await created('sourceConnections', { name: 'profiles', connectionSpec: { id: PROFILE_STORE, version: '1.0' } });
    const oldShape = await created('targetConnections', targetConnectionBody('dataLandingZone', base, { datasetFileType: 'JSON' }));
    const refused = await call(sim, { method: 'POST', path: `${FS}/flows`, body: flowBody('dataLandingZone', source, oldShape, 'audience old shape') });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /needs params\.fileType/);

    const { datasetFileType: _dropped, ...audienceParams } = obj(targetConnectionBody('dataLandingZone', base).params);
    const fileTypeTarget = await created('targetConnections', { ...targetConnectionBody('dataLandingZone', base), params: { ...audienceParams, fileType: 'JSON' } });
    await created('flows', flowBody('dataLandingZone', source, fileTypeTarget, 'audience flow'));
    // ...and a dataset flow refuses the audience target.
    const datasetSource = await created('sourceConnections', sourceConnectionBody('fake0000dataset0000id01'));
    const mixed = await call(sim, { method: 'POST', path: `${FS}/flows`, body: flowBody('dataLandingZone', datasetSource, fileTypeTarget, 'dataset flow, audience target') });
    assert.equal(mixed.status, 400);
  });

  test('an Azure Blob connection string with a SAS is accepted; GET shows a partial view without it (nor an S3 secret key)', async () => {
    const sas = 'BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sp=rwl&sig=abc%3D';
    const azure = await created('connections', { ...baseConnectionBody('azureBlob'), auth: { specName: 'ConnectionString', params: { connectionString: sas } } });
    const shown = items((await call(sim, { method: 'GET', path: `${FS}/connections/${azure}` })).body)[0];
    assert.deepEqual(obj(obj(shown?.auth).params), {});
    const s3 = await created('connections', baseConnectionBody('s3'));
    const listed = items((await call(sim, { method: 'GET', path: `${FS}/connections?property=id==${s3}` })).body)[0];
    const params = obj(obj(listed?.auth).params);
    assert.equal(params.s3SecretKey, undefined);
    assert.equal(typeof params.s3AccessKey, 'string');
  });

  test('hourly intervals are 3/6/9/12 (8 is refused); aepp\'s string interval "3" is read as 3', async () => {
    const base = await created('connections', baseConnectionBody('dataLandingZone'));
    const source = await created('sourceConnections', sourceConnectionBody('fake0000dataset0000id02'));
    const target = await created('targetConnections', targetConnectionBody('dataLandingZone', base));
    const eight = await call(sim, { method: 'POST', path: `${FS}/flows`, body: { ...flowBody('dataLandingZone', source, target, 'eight'), scheduleParams: { interval: 8, timeUnit: 'hour', startTime: START_TIME_SECONDS } } });
    assert.equal(eight.status, 400);
    const flowId = await created('flows', { ...flowBody('dataLandingZone', source, target, 'string interval'), scheduleParams: { interval: '3', timeUnit: 'hour', startTime: START_TIME_SECONDS } });
    const flow = items((await call(sim, { method: 'GET', path: `${FS}/flows/${flowId}` })).body)[0];
    assert.equal(obj(flow?.scheduleParams).interval, 3);
  });

  test('JSON without compression is accepted (the V2 params schema allows it)', async () => {
    const base = await created('connections', baseConnectionBody('dataLandingZone'));
    await created('targetConnections', targetConnectionBody('dataLandingZone', base, { datasetFileType: 'JSON', compression: 'NONE' }));
  });

  test("the exportable-datasets list answers with a destination's spec id too (aepp's getExportableDatasetsDLZ)", async () => {
    const dlz = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs/${DESTINATION_SPEC_IDS.dataLandingZone.connectionSpecId}/configs?outputType=activationDatasets&outputField=datasets&start=0&limit=100` });
    assert.equal(dlz.status, 200);
    assert.ok((obj(dlz.body).items as unknown[]).length > 0);
    const unknown = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs/00000000-0000-0000-0000-000000000000/configs?outputType=activationDatasets&outputField=datasets` });
    assert.equal(unknown.status, 400);
  });

  test("paths and bucket names outside the destination's pattern are refused at the target connection", async () => {
    const s3 = await created('connections', baseConnectionBody('s3'));
    const spaced = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('s3', s3, { path: 'a b' }) });
    assert.equal(spaced.status, 400);
    const gcs = await created('connections', baseConnectionBody('gcs'));
    for (const bucketName of ['goog-bucket', 'my-google-bucket']) {
      const refused = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('gcs', gcs, { bucketName }) });
      assert.equal(refused.status, 400, bucketName);
    }
  });

  test('a batch file upload takes only application/octet-stream', async () => {
    const catalog = await call(sim, { method: 'GET', path: '/data/foundation/catalog/dataSets?limit=1' });
    const datasetId = Object.keys(obj(catalog.body))[0] ?? '';
    const batch = await call(sim, { method: 'POST', path: '/data/foundation/import/batches', body: { datasetId, inputFormat: { format: 'JSON' } } });
    assert.equal(batch.status, 201, JSON.stringify(batch.body));
    const path = `/data/foundation/import/batches/${String(obj(batch.body).id)}/datasets/${datasetId}/files/a.json`;
    const json = await call(sim, { method: 'PUT', path, rawBody: '[]' });
    assert.equal(json.status, 400);
    const bytes = await call(sim, { method: 'PUT', path, rawBody: '[]', headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(bytes.status, 201);
  });
});

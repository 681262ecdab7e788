// Source connections (data lake datasets) and target connections (location + format) over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import {
  baseConnectionBody,
  DATA_LAKE_SOURCE_SPEC_ID,
  DESTINATION_KEYS,
  DESTINATION_SPEC_IDS,
  FS,
  locationFor,
  sourceConnectionBody,
  targetConnectionBody,
  type DestinationKey,
} from './helpers/fixtures.js';
import { call, items, obj } from './helpers/platform-call.js';
import { assertMatchesSpec, type SpecCheck } from './helpers/spec-check.js';

// destinations.yaml only models S3 and SFTP target connections; the rest use flow-service.yaml.
function targetSpecFor(destination: DestinationKey): SpecCheck {
  if (destination === 's3' || destination === 'sftp') return { file: 'destinations.yaml' };
  return { file: 'flow-service.yaml', deviations: ['targetConnectionDataNotSentForDatasets'] };
}

describe('source connections', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => sim.close());

  test('create and read a data lake source connection', async () => {
    // aepp also sends data.format; flow-service.yaml requires it.
    const body = { ...sourceConnectionBody('fakeDataset0001'), data: { format: 'parquet' } };
    const created = await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body });
    assert.equal(created.status, 201);
    await assertMatchesSpec(created, { file: 'flow-service.yaml' });
    const read = await call(sim, { method: 'GET', path: `${FS}/sourceConnections/${String(obj(created.body).id)}` });
    assert.equal(read.status, 200);
    await assertMatchesSpec(read, { file: 'flow-service.yaml' });
    const [entity] = items(read.body);
    assert.deepEqual(entity?.connectionSpec, { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' });
    assert.deepEqual(obj(entity?.params).datasets, [{ dataSetId: 'fakeDataset0001', name: 'Dataset fakeDataset0001' }]);
    assert.equal(entity?.etag, obj(created.body).etag);
  });

  test('refuses other specs, missing datasets, and changes to the dataset list', async () => {
    const wrongSpec = await call(sim, {
      method: 'POST',
      path: `${FS}/sourceConnections`,
      body: { ...sourceConnectionBody('x'), connectionSpec: { id: DESTINATION_SPEC_IDS.s3.connectionSpecId, version: '1.0' } },
    });
    assert.equal(wrongSpec.status, 400);
    const noDatasets = await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body: { ...sourceConnectionBody('x'), params: { datasets: [] } } });
    assert.equal(noDatasets.status, 400);
    await assertMatchesSpec(noDatasets, { file: 'destinations.yaml', skipRequest: true, deviations: ['validationErrorsUndocumented'] });
    const unknownSpec = await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body: { ...sourceConnectionBody('x'), connectionSpec: { id: 'nope', version: '1.0' } } });
    assert.deepEqual(unknownSpec.body, { message: 'Please provide a valid spec id' });

    const created = obj((await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body: sourceConnectionBody('fixed') })).body);
    const path = `${FS}/sourceConnections/${String(created.id)}`;
    const change = await call(sim, {
      method: 'PATCH',
      path,
      headers: { 'if-match': String(created.etag) },
      body: [{ op: 'replace', path: '/params/datasets', value: [{ dataSetId: 'other' }] }],
    });
    assert.equal(change.status, 400);
    assert.match(String(obj(change.body).errorMessage), /cannot be modified/);
    const rename = await call(sim, { method: 'PATCH', path, headers: { 'if-match': String(created.etag) }, body: [{ op: 'replace', path: '/name', value: 'renamed' }] });
    assert.equal(rename.status, 200);
  });

  test('list by dataset and delete', async () => {
    await call(sim, { method: 'POST', path: `${FS}/sourceConnections`, body: sourceConnectionBody('findMe') });
    const found = await call(sim, { method: 'GET', path: `${FS}/sourceConnections?property=params.datasets[].dataSetId==findMe` });
    assert.equal(found.status, 200);
    await assertMatchesSpec(found, { file: 'flow-service.yaml' });
    const [entity] = items(found.body);
    assert.equal(items(found.body).length, 1);
    const deleted = await call(sim, { method: 'DELETE', path: `${FS}/sourceConnections/${String(entity?.id)}` });
    assert.equal(deleted.status, 202);
    await assertMatchesSpec(deleted, { file: 'destinations.yaml' });
    const gone = await call(sim, { method: 'GET', path: `${FS}/sourceConnections/${String(entity?.id)}` });
    assert.equal(gone.status, 404);
    await assertMatchesSpec(gone, { file: 'destinations.yaml' });
  });
});

describe('target connections', () => {
  let sim: TestSimulator;
  const baseIds = new Map<DestinationKey, string>();
  before(async () => {
    sim = await startSimulator();
    for (const destination of DESTINATION_KEYS) {
      const created = await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody(destination) });
      baseIds.set(destination, String(obj(created.body).id));
    }
  });
  after(async () => sim.close());

  const baseOf = (destination: DestinationKey) => baseIds.get(destination) ?? '';

  for (const destination of DESTINATION_KEYS) {
    test(`create and read a ${destination} target connection`, async () => {
      const body = targetConnectionBody(destination, baseOf(destination));
      const created = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await assertMatchesSpec(created, targetSpecFor(destination));
      const read = await call(sim, { method: 'GET', path: `${FS}/targetConnections/${String(obj(created.body).id)}` });
      assert.equal(read.status, 200);
      await assertMatchesSpec(read, { file: 'flow-service.yaml' });
      const [entity] = items(read.body);
      assert.equal(entity?.baseConnectionId, baseOf(destination));
      assert.deepEqual(obj(entity?.params), { mode: 'Server-to-server', compression: 'GZIP', datasetFileType: 'PARQUET', ...locationFor(destination) });
      assert.deepEqual(obj(entity?.inheritedAttributes).baseConnection, {
        id: baseOf(destination),
        connectionSpec: { id: DESTINATION_SPEC_IDS[destination].connectionSpecId, version: '1.0' },
      });
    });
  }

  test('lowercase enum values (as aepp sends them) are accepted and stored in canonical case', async () => {
    const created = await call(sim, {
      method: 'POST',
      path: `${FS}/targetConnections`,
      body: targetConnectionBody('dataLandingZone', baseOf('dataLandingZone'), { compression: 'gzip', datasetFileType: 'json', mode: 'server-to-server' }),
    });
    assert.equal(created.status, 201);
    const [entity] = items((await call(sim, { method: 'GET', path: `${FS}/targetConnections/${String(obj(created.body).id)}` })).body);
    assert.equal(obj(entity?.params).compression, 'GZIP');
    assert.equal(obj(entity?.params).datasetFileType, 'JSON');
  });

  test('CSV dataset exports are refused; so are missing location params', async () => {
    const cases: [DestinationKey, Record<string, unknown>, RegExp][] = [
      ['s3', { datasetFileType: 'CSV' }, /CSV is not supported/],
      ['gcs', { bucketName: undefined }, /bucketName is required/],
      ['sftp', { remotePath: '' }, /remotePath is required/],
      ['s3', { bucketName: 'Not_A_Bucket' }, /bucketName does not match/],
      ['azureBlob', { compression: 'ZIP' }, /compression must be one of/],
    ];
    for (const [destination, params, message] of cases) {
      const response = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody(destination, baseOf(destination), params) });
      assert.equal(response.status, 400, `${destination} ${JSON.stringify(params)}`);
      const body = obj(response.body);
      assert.match(`${String(body.errorMessage)} ${String(body.errorDetails)}`, message);
    }
    const parquetUncompressed = await call(sim, {
      method: 'POST',
      path: `${FS}/targetConnections`,
      body: targetConnectionBody('s3', baseOf('s3'), { datasetFileType: 'PARQUET', compression: 'NONE' }),
    });
    assert.equal(parquetUncompressed.status, 201, 'Parquet may be uncompressed');
  });

  test('the base connection must exist and use the same connection spec', async () => {
    const missing = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('s3', 'no-such-connection') });
    assert.equal(missing.status, 400);
    const otherSpec = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('s3', baseOf('gcs')) });
    assert.equal(otherSpec.status, 400);
    const otherSandbox = await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('s3', baseOf('s3')), headers: { 'x-sandbox-name': 'dev' } });
    assert.equal(otherSandbox.status, 400, 'a base connection of another sandbox does not exist here');
  });

  test('PATCH params is validated again; list, count and delete', async () => {
    const created = obj((await call(sim, { method: 'POST', path: `${FS}/targetConnections`, body: targetConnectionBody('adlsGen2', baseOf('adlsGen2')) })).body);
    const path = `${FS}/targetConnections/${String(created.id)}`;
    const invalid = await call(sim, { method: 'PATCH', path, headers: { 'if-match': String(created.etag) }, body: [{ op: 'replace', path: '/params/compression', value: 'ZIP' }] });
    assert.equal(invalid.status, 400);
    const valid = await call(sim, { method: 'PATCH', path, headers: { 'if-match': String(created.etag) }, body: [{ op: 'replace', path: '/params/path', value: 'elsewhere' }] });
    assert.equal(valid.status, 200);
    const [entity] = items((await call(sim, { method: 'GET', path })).body);
    assert.equal(obj(entity?.params).path, 'elsewhere');

    const count = await call(sim, { method: 'GET', path: `${FS}/targetConnections?property=baseConnectionId==${baseOf('adlsGen2')}&count=true` });
    assert.deepEqual(count.body, { count: 2 });
    await assertMatchesSpec(count, { file: 'flow-service.yaml' });
    assert.equal((await call(sim, { method: 'DELETE', path })).status, 202);
    assert.equal((await call(sim, { method: 'GET', path })).status, 404);
  });
});

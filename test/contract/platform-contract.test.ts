// The Platform contract. Every test simulator (test/support/simulator.ts) validates each request
// the service's Platform client sends against Adobe's OpenAPI files (test/support/platform-
// contract.ts) and answers a violation with 400, so the whole suite's traffic is checked: a test
// whose client call breaks the files fails there. This file shows the check itself: a run of the
// client's calls is recorded with zero violations (only the listed contradictions of Adobe's own
// files excused), and wrong shapes are caught by the specific V2 schemas even where the
// simulator would accept them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PLATFORM_CLIENT_USER_AGENT } from '../../src/platform/http.js';
import { createPlatformClient, type PlatformClient } from '../../src/platform/client.js';
import { DESTINATION_SPECS } from '../../src/platform/spec-ids.js';
import { createTokenCache } from '../../src/platform/token-cache.js';
import type { InspectedRequest } from '../../packages/stand-ins/src/simulator/app.js';
import { CONTRACT_CONTRADICTIONS } from '../support/contract-contradictions.js';
import { checkPlatformRequest, v2TargetParamsErrors } from '../support/platform-contract.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { createDlzExportChain, targetFor, uniqueName } from '../platform/support.js';

const S3 = DESTINATION_SPECS.s3.connectionSpecId;
const DLZ = DESTINATION_SPECS.dataLandingZone.connectionSpecId;

function clientRequest(method: string, url: string, body: unknown, headers: Record<string, string> = {}): InspectedRequest {
  return {
    method,
    url,
    body,
    headers: {
      authorization: 'Bearer t',
      'x-api-key': 'k',
      'x-gw-ims-org-id': 'o@AdobeOrg',
      'x-sandbox-name': 'prod',
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': PLATFORM_CLIENT_USER_AGENT,
      ...headers,
    },
  };
}

describe('Platform contract', () => {
  let sim: TestSimulator;
  let client: PlatformClient;

  before(async () => {
    sim = await startSimulator({ seedUsers: 20, notReadySeconds: 0, runDurationSeconds: 0, contract: 'record' });
    client = createPlatformClient({ target: targetFor(sim), tokens: createTokenCache() });
  });

  after(async () => {
    await client?.close();
    await sim?.close();
  });

  it("the client's calls of an export, a registry and segmentation lookup and a batch upload break none of Adobe's files", async () => {
    const dataset = (await client.listDatasets({ limit: 10 }))[0];
    assert.ok(dataset);
    const chain = await createDlzExportChain(client, dataset.id, uniqueName('contract'));
    const run = await client.startAdhocDatasetRun(chain.flowId, chain.datasetId);
    await client.getRun(run.runId);
    await client.listExportableDatasets();
    await client.findFieldGroupByTitle('no such group');
    await client.findSegmentDefinitionByName('no such segment');
    const tenant = await client.getRegistryTenantId();
    assert.equal(tenant, 'cmle');
    const base = await client.createBaseConnection({ name: uniqueName('contract audience'), connectionSpecId: DLZ, auth: null });
    await client.createTargetConnection({
      name: uniqueName('contract audience'),
      baseConnectionId: base.id,
      connectionSpecId: DLZ,
      params: { mode: 'Server-to-server', compression: 'GZIP', fileType: 'JSON', path: 'audiences' },
    });
    const batch = await client.createBatch({ datasetId: chain.datasetId, externalId: uniqueName('contract') });
    const rows = Buffer.from(JSON.stringify([{ _cmle: { userid: '1' } }]));
    await client.uploadSmallFile(batch.id, chain.datasetId, 'rows.json', { open: () => rows, length: rows.length });

    const contract = sim.contract;
    assert.ok(contract);
    assert.deepEqual(contract.violations, []);
    const operations = new Set(contract.checked.map((c) => c.operationId));
    const expected = ['createConnection', 'postSourceConnection', 'createTargetConnection', 'postFlow', 'runAdhocActivation', 'retrieveFlowRun', 'getDatasets', 'listFieldGroups', 'listSegmentDefinitions', 'createBatch', 'uploadSmallFile'];
    for (const op of expected) assert.ok(operations.has(op), `${op} was checked: ${[...operations].join(', ')}`);
  });

  it("the target params follow destinations.yaml's V2 schemas: exactly one of datasetFileType (datasets) and fileType (audiences)", async () => {
    assert.deepEqual(await v2TargetParamsErrors(DLZ, { compression: 'GZIP', datasetFileType: 'PARQUET', path: 'x' }), []);
    assert.deepEqual(await v2TargetParamsErrors(DLZ, { compression: 'GZIP', fileType: 'CSV', path: 'x' }), []);
    assert.notDeepEqual(await v2TargetParamsErrors(DLZ, { compression: 'GZIP', path: 'x' }), [], 'no file type at all');
    assert.notDeepEqual(await v2TargetParamsErrors(S3, { compression: 'GZIP', datasetFileType: 'JSON', bucketName: 'Bad_Bucket', path: 'x' }), [], 'S3 bucket pattern');
    assert.notDeepEqual(await v2TargetParamsErrors(DLZ, { compression: 'ZIP', datasetFileType: 'JSON', path: 'x' }), [], 'compression enum');
  });

  it('wrong shapes are violations even where the simulator would accept them', async () => {
    const upload = await checkPlatformRequest(
      clientRequest('PUT', '/data/foundation/import/batches/b1/datasets/d1/files/rows.json', Buffer.from('[]'), { 'content-type': 'application/json' }),
    );
    assert.match(upload.errors.join('\n'), /content-type/i, 'uploadSmallFile takes application/octet-stream only');

    const eightHours = await checkPlatformRequest(
      clientRequest('POST', '/data/foundation/flowservice/flows', {
        name: 'f',
        flowSpec: { id: DESTINATION_SPECS.dataLandingZone.datasetFlowSpecId, version: '1.0' },
        sourceConnectionIds: ['s'],
        targetConnectionIds: ['t'],
        transformations: [],
        scheduleParams: { interval: 8, timeUnit: 'hour', startTime: 1_900_000_000 },
      }),
    );
    assert.match(eightHours.errors.join('\n'), /DatasetScheduleParams_V2/);

    const oldSegmentSchedule = await checkPlatformRequest(
      clientRequest('PATCH', '/data/foundation/flowservice/flows/f1', [
        { op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: { type: 'SEGMENT', value: { id: 's1', exportMode: 'DAILY', schedule: { frequency: 'ONCE', startDate: '2026-01-01' } } } },
      ], { 'if-match': '"e"' }),
    );
    assert.match(oldSegmentSchedule.errors.join('\n'), /BatchSegmentSelector_V2/);
  });

  it('every excused contradiction is named, scoped to a file and says which reading is followed', () => {
    const ids = CONTRACT_CONTRADICTIONS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of CONTRACT_CONTRADICTIONS) assert.ok(c.reading.length > 40 && /Followed|Read instead/.test(c.reading), c.id);
  });
});

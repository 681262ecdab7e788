// Segmentation over HTTP (segmentation.yaml) and audience activation (ad-hoc-activation.yaml):
// scores ingested into a profile-enabled dataset, a PQL segment evaluated by a segment job whose
// audience size matches a count made here, and an ad hoc activation that lands those members.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestSimulator } from '../support/simulator.js';
import { blobNames, dlzContainerOf } from '../support/landed-files.js';
import { expectedDataset, findExport, getRun, readExportRows } from './data-support.js';
import { createScoresDataset, ingest, platform, pollUntil, startPipelineSimulator } from './pipeline-support.js';

const UPS = '/data/core/ups';
const FLOWS = '/data/foundation/flowservice';
const ADHOC = '/data/core/activation/disflowprovider/adhocrun';
const AUDIENCE_ACCEPT = 'application/vnd.adobe.adhoc.activation+json; version=2';
const PROFILE_STORE_SPEC = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
const DLZ_CONNECTION_SPEC = '10440537-2a7b-4583-ac39-ed38d4b848e8';
const DLZ_FLOW_SPEC = 'cd2fc47e-e838-4f38-a581-8fff2f99b63a';
const RULE = '_cmle.propensity >= 0.2 and _cmle.propensity <= 0.93';

interface SegmentJobBody {
  id: string;
  status: string;
  metrics: { totalProfiles?: number; segmentedProfileCounter?: Record<string, number> };
}

interface Score {
  userid: string;
  propensity: number;
}

async function createSegment(sim: TestSimulator, name: string, value: string): Promise<{ status: number; body: { id: string; name: string } }> {
  return platform<{ id: string; name: string }>(
    sim,
    'segmentation.yaml',
    {
      method: 'POST',
      path: `${UPS}/segment/definitions`,
      body: { name, description: 'propensity band', profileInstanceId: 'ups', expression: { type: 'PQL', format: 'pql/text', value }, schema: { name: '_xdm.context.profile' }, payloadSchema: 'string', ttlInDays: 60 },
    },
    { allowUndocumentedStatus: true },
  );
}

async function runSegmentJob(sim: TestSimulator, segmentId: string): Promise<SegmentJobBody> {
  const created = await platform<SegmentJobBody>(sim, 'segmentation.yaml', { method: 'POST', path: `${UPS}/segment/jobs`, body: [{ segmentId }], headers: { 'x-profile-instance-id': 'ups' } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.status, 'NEW');
  return pollUntil(
    async () => (await platform<SegmentJobBody>(sim, 'segmentation.yaml', { method: 'GET', path: `${UPS}/segment/jobs/${created.body.id}` })).body,
    (job) => job.status === 'SUCCEEDED' || job.status === 'FAILED',
    'segment job',
  );
}

/** Creates the flow-service entities of an audience dataflow to the DLZ; returns flow id and etag. */
async function createAudienceFlow(sim: TestSimulator, path: string): Promise<{ id: string; etag: string }> {
  const post = async (collection: string, body: unknown): Promise<{ id: string; etag: string }> => {
    const result = await platform<{ id: string; etag: string }>(sim, 'flow-service.yaml', { method: 'POST', path: `${FLOWS}/${collection}`, body }, { skipRequest: true });
    assert.equal(result.status, 201, JSON.stringify(result.body));
    return result.body;
  };
  const base = await post('connections', { name: 'dlz', auth: null, connectionSpec: { id: DLZ_CONNECTION_SPEC, version: '1.0' } });
  const source = await post('sourceConnections', { name: 'Profile Store', connectionSpec: { id: PROFILE_STORE_SPEC, version: '1.0' } });
  const target = await post('targetConnections', {
    name: 'audiences',
    baseConnectionId: base.id,
    connectionSpec: { id: DLZ_CONNECTION_SPEC, version: '1.0' },
    params: { mode: 'Server-to-server', compression: 'gzip', fileType: 'JSON', path },
  });
  return post('flows', {
    name: 'audience activation',
    flowSpec: { id: DLZ_FLOW_SPEC, version: '1.0' },
    sourceConnectionIds: [source.id],
    targetConnectionIds: [target.id],
    transformations: [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] } } }],
    scheduleParams: { interval: 1, timeUnit: 'day', startTime: Math.floor(Date.now() / 1000) + 365 * 24 * 3600 },
  });
}

describe('segmentation and audience activation', () => {
  let sim: TestSimulator;
  let scoresDatasetId: string;
  let expected: Map<string, number>;
  let seedUserIds: string[];

  before(async () => {
    sim = await startPipelineSimulator();
    scoresDatasetId = (await createScoresDataset(sim)).datasetId;
    // Scores for the seeded users (spread over [0, 1]) plus three users the seed does not know.
    seedUserIds = expectedDataset(sim, 'profiles').rows.map((row) => (row._cmle as { userid: string }).userid);
    const first: Score[] = seedUserIds.map((userid, i) => ({ userid, propensity: Math.round((i / seedUserIds.length) * 1000) / 1000 }));
    first.push({ userid: 'new-user-1', propensity: 0.5 }, { userid: 'new-user-2', propensity: 0.99 }, { userid: 'new-user-3', propensity: 0.2 });
    // A later batch re-scores two users: the profile keeps the latest value.
    const second: Score[] = [
      { userid: seedUserIds[0] ?? '', propensity: 0.6 },
      { userid: 'new-user-2', propensity: 0.05 },
    ];
    for (const scores of [first, second]) {
      const { batch } = await ingest(sim, scoresDatasetId, { 'scores.json': JSON.stringify(scores.map((s) => ({ _cmle: s }))) });
      assert.equal(batch.status, 'success');
    }
    expected = new Map([...first, ...second].map((s) => [s.userid, s.propensity]));
  });
  after(async () => {
    await sim.close();
  });

  const inBand = (): Set<string> => new Set([...expected].filter(([, p]) => p >= 0.2 && p <= 0.93).map(([u]) => u));

  test('a segment job evaluates the PQL over the merged profiles; the audience size matches an independent count', async () => {
    const segment = await createSegment(sim, 'propensity band', RULE);
    assert.equal(segment.status, 200, JSON.stringify(segment.body));
    const read = await platform<{ expression: { value: string } }>(sim, 'segmentation.yaml', { method: 'GET', path: `${UPS}/segment/definitions/${segment.body.id}` });
    assert.equal(read.body.expression.value, RULE);

    const job = await runSegmentJob(sim, segment.body.id);
    assert.equal(job.status, 'SUCCEEDED');
    assert.equal(job.metrics.segmentedProfileCounter?.[segment.body.id], inBand().size);
    // Profiles: the seeded profile records merged with the scores by ECID.
    assert.equal(job.metrics.totalProfiles, new Set([...seedUserIds, ...expected.keys()]).size);

    const duplicate = await createSegment(sim, 'propensity band', RULE);
    assert.equal(duplicate.status, 422);
  });

  test('PQL outside the subset is refused when the definition is created', async () => {
    for (const value of ['_cmle.propensity.exists()', 'select X from xEvent where X.eventType = "a"', '_cmle.propensity >= _cmle.other', '_cmle.propensity in [1, 2]']) {
      const refused = await createSegment(sim, `bad ${value}`, value);
      assert.equal(refused.status, 400, value);
      assert.match(JSON.stringify(refused.body), /Invalid PQL expression/);
    }
  });

  test('the audience ad hoc activation (v2) runs the audience dataflow and lands the members', async () => {
    const segment = await createSegment(sim, 'propensity band for activation', RULE);
    const job = await runSegmentJob(sim, segment.body.id);
    assert.equal(job.status, 'SUCCEEDED');
    const path = 'cmle/audiences';
    const flow = await createAudienceFlow(sim, path);
    const activate = () =>
      platform<{ order?: { segment: string; order: string; statusURL: string }[]; message?: string }>(
        sim,
        'ad-hoc-activation.yaml',
        { method: 'POST', path: ADHOC, body: { activationInfo: { [flow.id]: [segment.body.id] } }, headers: { accept: AUDIENCE_ACCEPT } },
        { allowUndocumentedStatus: true },
      );

    const unmapped = await activate();
    assert.equal(unmapped.status, 400);
    assert.match(unmapped.body.message ?? '', /are not part of this dataflow/);

    const patch = await platform(
      sim,
      'flow-service.yaml',
      {
        method: 'PATCH',
        path: `${FLOWS}/flows/${flow.id}`,
        headers: { 'if-match': flow.etag },
        body: [
          {
            op: 'add',
            path: '/transformations/0/params/segmentSelectors/selectors/-',
            value: { type: 'PLATFORM_SEGMENT', value: { id: segment.body.id, name: segment.body.name, fileNameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%', exportMode: 'DAILY_FULL_EXPORT', schedule: { frequency: 'ONCE', triggerType: 'SCHEDULED', startDate: '2026-01-01', startTime: '23:00' } } },
          },
        ],
      },
      { skipRequest: true },
    );
    assert.equal(patch.status, 200, JSON.stringify(patch.body));

    const activated = await activate();
    assert.equal(activated.status, 200, JSON.stringify(activated.body));
    const order = activated.body.order?.[0];
    assert.ok(order !== undefined);
    assert.equal(order.segment, segment.body.id);
    assert.equal(order.order, flow.id);
    const runId = order.statusURL.split('/').at(-1) ?? '';
    const run = await pollUntil(() => getRun(sim, runId), (r) => r.metrics.statusSummary.status !== 'inProgress', 'activation run');
    assert.equal(run.metrics.statusSummary.status, 'success', JSON.stringify(run.metrics.statusSummary));

    const prefix = `${path.split('/').filter((s) => s !== '').join('/')}/`;
    const folders = [...new Set((await blobNames(await dlzContainerOf(sim), prefix)).map((name) => name.slice(prefix.length).split('/')[0] ?? ''))];
    const landed = (await Promise.all(folders.map((folder) => findExport(sim, path, folder, runId)))).find((l) => l !== null);
    assert.ok(landed !== undefined && landed !== null, 'the run landed its files');
    const members = (await readExportRows(landed)) as { _cmle: { userid: string; propensity: number } }[];
    assert.deepEqual(new Set(members.map((m) => m._cmle.userid)), inBand());
    assert.ok(members.every((m) => expected.get(m._cmle.userid) === m._cmle.propensity));
  });
});

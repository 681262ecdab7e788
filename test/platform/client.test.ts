// The Platform client's domain methods against the simulator over real HTTP: datasets and labels,
// the export chain (find-by-name, create, get, list, patch, enable/disable, delete, count), ad hoc
// runs and run monitoring, and each error kind as the Platform produces it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPlatformClient, type PlatformClient } from '../../src/platform/client.js';
import { PlatformError } from '../../src/platform/errors.js';
import { runFailureOf, runOutcomeOf } from '../../src/platform/run-outcome.js';
import { DESTINATION_SPECS } from '../../src/platform/spec-ids.js';
import { createTokenCache, type TokenCache } from '../../src/platform/token-cache.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { callRecorder, createDlzExportChain, parkedSchedule, targetFor, uniqueName, type ExportChain } from './support.js';

const DLZ = DESTINATION_SPECS.dataLandingZone;

async function failureOf(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PlatformError, `expected a PlatformError, got ${String(error)}`);
  return error;
}

void describe('Platform client', () => {
  let sim: TestSimulator;
  let tokens: TokenCache;
  let client: PlatformClient;
  // The simulator's clock: moved forward to pass the "not ready" window and finish runs.
  let clockOffsetMs = 0;
  const advance = (seconds: number): void => {
    clockOffsetMs += seconds * 1000;
  };

  before(async () => {
    sim = await startSimulator({ now: () => Date.now() + clockOffsetMs });
    tokens = createTokenCache();
    client = createPlatformClient({ target: targetFor(sim), tokens });
  });
  after(async () => {
    await client.close();
    await tokens.close();
    await sim.close();
  });

  void describe('datasets and labels', () => {
    void it('lists and gets Catalog datasets with their ids', async () => {
      const datasets = await client.listDatasets({ limit: 10 });
      assert.ok(datasets.length > 0);
      const first = datasets[0];
      assert.ok(first);
      const fetched = await client.getDataset(first.id);
      assert.equal(fetched.id, first.id);
      assert.equal(fetched.name, first.name);
    });

    void it('lists exportable datasets with paging info', async () => {
      const all = await client.listDatasets({ limit: 100 });
      const page = await client.listExportableDatasets({ start: 0, limit: 2 });
      assert.equal(page.items.length, Math.min(2, all.length));
      assert.equal(page.pageInfo?.total, all.length);
      for (const item of page.items) assert.ok(all.some((d) => d.id === item.id));
    });

    void it('reads labels as the Dataset Service stores them, null when there is no labels entity', async () => {
      const datasets = await client.listDatasets({ limit: 100 });
      const { rows } = await sim.ctx.pool.query<{ id: string; labels: { labels: string[]; optionalLabels: { option: { schemaPath?: string }; labels: string[] }[] } | null }>(
        `SELECT id, labels FROM "${sim.ctx.schema}".datasets WHERE org = $1 AND sandbox = $2`,
        [sim.orgId, sim.sandbox],
      );
      assert.equal(rows.length, datasets.length);
      assert.ok(rows.some((r) => r.labels === null), 'the seed has a dataset without labels');
      assert.ok(rows.some((r) => (r.labels?.labels.length ?? 0) > 0), 'the seed has dataset-wide labels');
      assert.ok(rows.some((r) => (r.labels?.optionalLabels.length ?? 0) > 0), 'the seed has field labels');

      for (const row of rows) {
        const labels = await client.getDatasetLabels(row.id);
        if (row.labels === null) {
          assert.equal(labels, null, `dataset ${row.id} has no labels entity`);
          continue;
        }
        assert.ok(labels);
        assert.deepEqual(labels.labels, row.labels.labels);
        assert.deepEqual(
          labels.fieldLabels,
          row.labels.optionalLabels.map((o) => ({ schemaPath: o.option.schemaPath, labels: o.labels })),
        );
        assert.ok(labels.etag !== undefined && labels.etag !== '');
      }
    });

    void it('a missing dataset is not_found in plain words', async () => {
      const error = await failureOf(client.getDataset('000000000000000000000000'));
      assert.equal(error.kind, 'not_found');
      assert.equal(error.status, 404);
      assert.match(error.plainMessage, new RegExp(`no dataset with that id in sandbox '${sim.sandbox}'`));
    });
  });

  void describe('export chain', () => {
    let chain: ExportChain;

    before(async () => {
      const [dataset] = await client.listDatasets({ limit: 1 });
      assert.ok(dataset);
      chain = await createDlzExportChain(client, dataset.id, uniqueName('chain'));
    });

    void it('finds every object by its name and reads it back', async () => {
      assert.equal((await client.findBaseConnectionByName(chain.name))?.id, chain.baseConnectionId);
      assert.equal((await client.findSourceConnectionByName(chain.name))?.id, chain.sourceConnectionId);
      assert.equal((await client.findTargetConnectionByName(chain.name))?.id, chain.targetConnectionId);
      assert.equal((await client.findFlowByName(chain.name))?.id, chain.flowId);
      assert.equal(await client.findFlowByName(uniqueName('never created')), null);

      const source = await client.getSourceConnection(chain.sourceConnectionId);
      assert.deepEqual(source.params?.datasets?.map((d) => d.dataSetId), [chain.datasetId]);
      const target = await client.getTargetConnection(chain.targetConnectionId);
      assert.equal(target.baseConnectionId, chain.baseConnectionId);
      assert.equal((await client.getBaseConnection(chain.baseConnectionId)).name, chain.name);
      const flow = await client.getFlow(chain.flowId);
      assert.equal(flow.state, 'enabled');
      assert.deepEqual(flow.sourceConnectionIds, [chain.sourceConnectionId]);
      assert.deepEqual(flow.targetConnectionIds, [chain.targetConnectionId]);
    });

    void it('URL-encodes names in property filters', async () => {
      const name = uniqueName('odd & name = "x" #1 + 100% ü');
      const created = await client.createBaseConnection({ name, connectionSpecId: DLZ.connectionSpecId, auth: null });
      const found = await client.findBaseConnectionByName(name);
      assert.equal(found?.id, created.id);
      assert.equal(found.name, name);
    });

    void it('lists flows by source connection and counts with filters', async () => {
      const flows = await client.listFlowsBySourceConnection(chain.sourceConnectionId);
      assert.deepEqual(
        flows.map((f) => f.id),
        [chain.flowId],
      );
      assert.equal(await client.countObjects('flow', [`name==${chain.name}`]), 1);
      assert.equal(await client.countObjects('flow', [`name==${uniqueName('absent')}`]), 0);
    });

    void it('follows continuation tokens across pages', async () => {
      const recorder = callRecorder();
      const paging = createPlatformClient({ target: targetFor(sim), tokens, onCall: recorder.onCall });
      try {
        const paged = await createDlzExportChain(paging, chain.datasetId, uniqueName('paged'));
        const extraFlowIds: string[] = [];
        for (let i = 1; i <= 2; i++) {
          const extra = await paging.createFlow({
            name: `${paged.name} ${i}`,
            flowSpecId: DLZ.datasetFlowSpecId,
            sourceConnectionId: paged.sourceConnectionId,
            targetConnectionId: paged.targetConnectionId,
            scheduleParams: parkedSchedule(),
          });
          extraFlowIds.push(extra.id);
        }
        recorder.calls.length = 0;
        const flows = await paging.listFlowsBySourceConnection(paged.sourceConnectionId, { pageSize: 1 });
        assert.deepEqual(flows.map((f) => f.id).sort(), [paged.flowId, ...extraFlowIds].sort());
        assert.ok(recorder.calls.filter((c) => c.endpoint === 'flows.list').length >= 3, 'one request per page');
      } finally {
        await paging.close();
      }
    });

    void it('patches the schedule with If-Match; a stale etag is a conflict', async () => {
      const flow = await client.getFlow(chain.flowId);
      assert.ok(flow.etag);
      const schedule = { ...parkedSchedule(), startTime: (flow.scheduleParams?.startTime ?? 0) + 3600 };
      const patched = await client.updateFlowSchedule(chain.flowId, schedule, flow.etag);
      assert.notEqual(patched.etag, flow.etag);
      assert.equal((await client.getFlow(chain.flowId)).scheduleParams?.startTime, schedule.startTime);

      const stale = await failureOf(client.updateFlowSchedule(chain.flowId, schedule, flow.etag));
      assert.equal(stale.kind, 'conflict');
      assert.equal(stale.status, 412);
      assert.match(stale.plainMessage, /changed since it was read/);
    });

    void it('disables and enables the flow', async () => {
      await client.disableFlow(chain.flowId);
      assert.equal((await client.getFlow(chain.flowId)).state, 'disabled');
      await client.enableFlow(chain.flowId);
      assert.equal((await client.getFlow(chain.flowId)).state, 'enabled');
    });

    void it('deletes idempotently; a deleted flow is not_found', async () => {
      const [dataset] = await client.listDatasets({ limit: 1 });
      assert.ok(dataset);
      const doomed = await createDlzExportChain(client, dataset.id, uniqueName('doomed'));
      assert.equal(await client.deleteFlow(doomed.flowId), true);
      assert.equal(await client.deleteFlow(doomed.flowId), false);
      assert.equal(await client.countObjects('flow', [`name==${doomed.name}`]), 0);
      const error = await failureOf(client.getFlow(doomed.flowId));
      assert.equal(error.kind, 'not_found');
      assert.equal(error.code, 'FLOW-1439-404');
      assert.match(error.plainMessage, /no flow with that id/);
      assert.equal(await client.deleteTargetConnection(doomed.targetConnectionId), true);
      assert.equal(await client.deleteSourceConnection(doomed.sourceConnectionId), true);
      assert.equal(await client.deleteBaseConnection(doomed.baseConnectionId), true);
    });
  });

  void describe('ad hoc runs', () => {
    let chain: ExportChain;

    before(async () => {
      const [dataset] = await client.listDatasets({ limit: 1 });
      assert.ok(dataset);
      chain = await createDlzExportChain(client, dataset.id, uniqueName('adhoc'));
    });

    void it('refuses a run right after the flow was created with kind not_ready', async () => {
      const error = await failureOf(client.startAdhocDatasetRun(chain.flowId, chain.datasetId));
      assert.equal(error.kind, 'not_ready');
      assert.equal(error.ambiguous, false);
      assert.match(error.plainMessage, /about 10 minutes after a flow is created or enabled/);
    });

    void it('starts a run once ready, refuses a second one while it runs, and reports it finished', async () => {
      advance(sim.config.notReadySeconds + 1);
      const started = await client.startAdhocDatasetRun(chain.flowId, chain.datasetId);
      assert.equal(started.flowId, chain.flowId);
      assert.equal(started.datasetId, chain.datasetId);
      assert.ok(started.statusUrl.endsWith(`/${started.runId}`));

      const busy = await failureOf(client.startAdhocDatasetRun(chain.flowId, chain.datasetId));
      assert.equal(busy.kind, 'conflict');

      const running = await client.getRun(started.runId);
      assert.equal(running.flowId, chain.flowId);
      assert.equal(runOutcomeOf(running), 'in_progress');
      assert.ok((await client.listFlowRuns(chain.flowId)).some((r) => r.id === started.runId));

      advance(sim.config.runDurationSeconds + 1);
      const finished = await client.getRun(started.runId);
      assert.equal(runOutcomeOf(finished), 'success');
      assert.equal(runFailureOf(finished), null);
      assert.ok((finished.metrics?.fileSummary?.outputFileCount ?? 0) > 0);
    });

    void it('reports a failed run with the Platform error code', async () => {
      await sim.setFaults({ failNextRuns: 1 });
      try {
        // New rows: with nothing new since the last run the Platform starts none ("run already exists").
        await sim.appendRows(chain.datasetId);
        const started = await client.startAdhocDatasetRun(chain.flowId, chain.datasetId);
        advance(sim.config.runDurationSeconds + 1);
        const run = await client.getRun(started.runId);
        assert.equal(runOutcomeOf(run), 'failed');
        const failure = runFailureOf(run);
        assert.ok(failure);
        assert.equal(failure.kind, 'permanent');
        assert.equal(failure.code, run.metrics?.statusSummary?.errors?.[0]?.code);
        const runs = await client.listFlowRuns(chain.flowId);
        assert.equal(runs[0]?.id, started.runId, 'newest first');
      } finally {
        await sim.setFaults({});
      }
    });

    void it('a disabled flow refuses ad hoc runs as a permanent error', async () => {
      await client.disableFlow(chain.flowId);
      try {
        const error = await failureOf(client.startAdhocDatasetRun(chain.flowId, chain.datasetId));
        assert.equal(error.kind, 'permanent');
        assert.match(error.platformMessage ?? '', /disabled/);
      } finally {
        await client.enableFlow(chain.flowId);
      }
    });
  });

  void describe('errors the Platform answers', () => {
    void it('an invalid create is permanent and carries the Platform message', async () => {
      const error = await failureOf(
        client.createBaseConnection({ name: uniqueName('bad spec'), connectionSpecId: '00000000-0000-0000-0000-000000000000', auth: null }),
      );
      assert.equal(error.kind, 'permanent');
      assert.equal(error.status, 400);
      assert.equal(error.ambiguous, false);
      assert.equal(error.platformMessage, 'Please provide a valid spec id');
      assert.match(error.plainMessage, /Please provide a valid spec id/);
    });

    void it('JSON without compression is accepted, as the V2 params schema allows (the export is compressed anyway)', async () => {
      const base = await client.createBaseConnection({ name: uniqueName('json none'), connectionSpecId: DLZ.connectionSpecId, auth: null });
      const target = await client.createTargetConnection({
        name: uniqueName('json none'),
        baseConnectionId: base.id,
        connectionSpecId: DLZ.connectionSpecId,
        params: { mode: 'Server-to-server', compression: 'NONE', datasetFileType: 'JSON', path: 'exports' },
      });
      const stored = await client.getTargetConnection(target.id);
      assert.equal(stored.params?.compression, 'NONE');
    });

    void it('a wrong client secret is an auth error naming the credential problem', async () => {
      const wrong = createPlatformClient({ target: targetFor(sim, { clientSecret: 'wrong-fake-secret' }), tokens });
      try {
        const error = await failureOf(wrong.countObjects('flow'));
        assert.equal(error.kind, 'auth');
        assert.match(error.plainMessage, /client id or client secret is wrong/);
      } finally {
        await wrong.close();
      }
    });

    void it('a credential used with another org is a permission error (403025)', async () => {
      const otherOrg = createPlatformClient({ target: targetFor(sim, { orgId: 'FAKEOTHERORG0000@AdobeOrg' }), tokens });
      try {
        const error = await failureOf(otherOrg.countObjects('flow'));
        assert.equal(error.kind, 'permission');
        assert.equal(error.code, '403025');
        assert.match(error.plainMessage, /product profile/);
      } finally {
        await otherOrg.close();
      }
    });
  });
});

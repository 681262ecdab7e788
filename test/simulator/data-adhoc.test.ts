// The ad hoc dataset run over HTTP: its Accept header, the not-ready window after a flow is created
// or enabled, one run at a time per flow, and the refusals (unknown flow, foreign dataset,
// disabled flow). Error bodies are validated against ad-hoc-activation.yaml's 400 schema; the
// dataset request itself is a documented deviation (the spec only has the audience variant).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { loadSpec } from '../support/openapi.js';
import {
  ADHOC_DATASET_ACCEPT,
  ADHOC_PATH,
  adhocBody,
  call,
  createExportFlow,
  expectedDataset,
  finishRun,
  getRun,
  requestAdhocRun,
  startDataSimulator,
  type DataSimulator,
} from './data-support.js';

const NOT_READY = 'Invalid parameter: Following order ID(s) are not ready for dataset export, please wait for 10 minutes and retry.';

const adhocResponseSchema = z.object({
  destinations: z.array(z.object({ datasets: z.array(z.object({ id: z.string(), statusURL: z.string().url(), flowId: z.string() }).strict()).min(1) })).min(1),
});

async function assertAdobeAdhocError(status: number, body: unknown): Promise<void> {
  const validator = await loadSpec('ad-hoc-activation.yaml');
  const report = validator.validateResponse({ method: 'POST', path: ADHOC_PATH }, { status, body });
  assert.deepEqual(report.errors, []);
  assert.equal(typeof (body as { message?: unknown }).message, 'string');
}

void describe('simulator data: ad hoc dataset run', () => {
  let env: DataSimulator;
  before(async () => {
    env = await startDataSimulator({ notReadySeconds: 600 });
  });
  after(async () => {
    await env.sim.close();
  });

  void test('the audience-only spec rejects the dataset request shape, which is why it is a listed deviation', async () => {
    const validator = await loadSpec('ad-hoc-activation.yaml');
    const headers = await env.sim.headers({ accept: ADHOC_DATASET_ACCEPT });
    const report = validator.validateRequest({ method: 'POST', path: ADHOC_PATH, headers, body: adhocBody('f', ['d']) });
    assert.ok(report.errors.some((e) => e.includes('accept')), report.errors.join('\n'));
    assert.ok(report.errors.some((e) => e.includes('activationInfo')), report.errors.join('\n'));
  });

  void test('a new flow is not ready for the configured window, then runs; statusURL points at this simulator', async () => {
    const { sim, clock } = env;
    const events = expectedDataset(sim, 'experience-events');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [events.id] });

    const early = await requestAdhocRun(sim, flowId, [events.id]);
    assert.equal(early.status, 400);
    assert.deepEqual(early.body, { message: NOT_READY });
    await assertAdobeAdhocError(early.status, early.body);

    clock.advanceSeconds(599);
    assert.equal((await requestAdhocRun(sim, flowId, [events.id])).status, 400, 'still inside the 600 s window');

    clock.advanceSeconds(2);
    const ready = await requestAdhocRun(sim, flowId, [events.id]);
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    const parsed = adhocResponseSchema.parse(ready.body);
    const entry = parsed.destinations[0]?.datasets[0];
    assert.equal(entry?.id, events.id);
    assert.equal(entry?.flowId, flowId);
    assert.ok(entry?.statusURL.startsWith(`${sim.url}/data/foundation/flowservice/runs/`), entry?.statusURL);
    const statusResponse = await fetch(entry.statusURL, { headers: await sim.headers() });
    assert.equal(statusResponse.status, 200);
  });

  void test('a second run is refused while one is in progress, and accepted once it finished', async () => {
    const { sim, clock } = env;
    const profiles = expectedDataset(sim, 'profiles');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [profiles.id] });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const first = await requestAdhocRun(sim, flowId, [profiles.id]);
    assert.equal(first.status, 200);
    const runId = adhocResponseSchema.parse(first.body).destinations[0]?.datasets[0]?.statusURL.split('/').at(-1);
    assert.ok(runId !== undefined);

    const second = await requestAdhocRun(sim, flowId, [profiles.id]);
    assert.equal(second.status, 400);
    assert.deepEqual(second.body, { message: `Run already going on for dataset ${profiles.id} for order ${flowId} with run id ${runId}` });
    await assertAdobeAdhocError(second.status, second.body);

    await finishRun(sim, clock, runId);
    // Nothing new since: "a run already exists" (Adobe's CMLE notebooks); with new rows, a run.
    const nothingNew = await requestAdhocRun(sim, flowId, [profiles.id]);
    assert.equal(nothingNew.status, 400);
    assert.match(JSON.stringify(nothingNew.body), /A run already exists for dataset/);
    await sim.appendRows(profiles.id);
    assert.equal((await requestAdhocRun(sim, flowId, [profiles.id])).status, 200);
  });

  void test('concurrent requests on one flow start exactly one run', async () => {
    const { sim, clock } = env;
    const c12 = expectedDataset(sim, 'contacts-no-export');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [c12.id] });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const results = await Promise.all(Array.from({ length: 4 }, () => requestAdhocRun(sim, flowId, [c12.id])));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400, 400, 400]);
  });

  void test('runs started on more flows at once than the pool has connections all start (no pool deadlock)', { timeout: 60_000 }, async () => {
    const { sim, clock } = env;
    const events = expectedDataset(sim, 'experience-events');
    // Each start holds a lock connection while it creates the run through another; the pool has 10.
    const flowIds: string[] = [];
    for (let i = 0; i < 16; i++) flowIds.push(await createExportFlow(sim, clock, { datasetIds: [events.id], path: `deadlock/${i}` }));
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const results = await Promise.all(flowIds.map((flowId) => requestAdhocRun(sim, flowId, [events.id])));
    assert.deepEqual(
      results.map((r) => r.status),
      flowIds.map(() => 200),
    );
    // Reading a due run completes it in a transaction; 16 completions at once must not deadlock either.
    const runIds = results.map((r) => adhocResponseSchema.parse(r.body).destinations[0]?.datasets[0]?.statusURL.split('/').at(-1) ?? '');
    clock.advanceSeconds(sim.config.runDurationSeconds + 1);
    const runs = await Promise.all(runIds.map((runId) => getRun(sim, runId)));
    assert.deepEqual(
      runs.map((run) => run.metrics.statusSummary.status),
      runIds.map(() => 'success'),
    );
  });

  void test('enabling a disabled flow restarts the not-ready window; a disabled flow is refused', async () => {
    const { sim, clock } = env;
    const pspd = expectedDataset(sim, 'sensitive-profiles');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [pspd.id] });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    const disable = await call(sim, 'POST', `/data/foundation/flowservice/flows/${flowId}/action?op=disable`);
    assert.equal(disable.status, 200);
    const refused = await requestAdhocRun(sim, flowId, [pspd.id]);
    assert.equal(refused.status, 400);
    assert.match((refused.body as { message: string }).message, new RegExp(`Flow for id ${flowId} is incorrect`));
    await assertAdobeAdhocError(refused.status, refused.body);

    assert.equal((await call(sim, 'POST', `/data/foundation/flowservice/flows/${flowId}/action?op=enable`)).status, 200);
    assert.deepEqual((await requestAdhocRun(sim, flowId, [pspd.id])).body, { message: NOT_READY });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);
    assert.equal((await requestAdhocRun(sim, flowId, [pspd.id])).status, 200);
  });

  void test('refuses a missing Accept header, a malformed body, an unknown flow and a dataset outside the flow', async () => {
    const { sim, clock } = env;
    const events = expectedDataset(sim, 'experience-events');
    const profiles = expectedDataset(sim, 'profiles');
    const flowId = await createExportFlow(sim, clock, { datasetIds: [events.id] });
    clock.advanceSeconds(sim.config.notReadySeconds + 1);

    const plainAccept = await requestAdhocRun(sim, flowId, [events.id], 'application/json');
    assert.equal(plainAccept.status, 400);
    assert.match((plainAccept.body as { message: string }).message, /application\/vnd\.adobe\.adhoc\.dataset\.activation\+json; version=1/);

    const malformed = await call(sim, 'POST', ADHOC_PATH, { body: { activationInfo: { destinations: [] } }, headers: { accept: ADHOC_DATASET_ACCEPT } });
    assert.equal(malformed.status, 400);
    await assertAdobeAdhocError(malformed.status, malformed.body);

    const unknownFlow = await requestAdhocRun(sim, '00000000-0000-4000-8000-000000000000', [events.id]);
    assert.equal(unknownFlow.status, 404);
    assert.deepEqual(unknownFlow.body, { message: 'Flow for id 00000000-0000-4000-8000-000000000000 not found' });
    await assertAdobeAdhocError(unknownFlow.status, unknownFlow.body);

    const foreign = await requestAdhocRun(sim, flowId, [profiles.id]);
    assert.equal(foreign.status, 400);
    assert.match((foreign.body as { message: string }).message, new RegExp(`Datasets ${profiles.id} are not part of this dataflow`));
  });
});

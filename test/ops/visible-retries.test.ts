// Visible retries (issue #15): while the Platform answers 503 to every target-connection create
// (a persistent simulator fault), an export waits and retries; its last error (code, the
// Platform's code and words, attempt, next retry time) is readable through every surface: GET,
// the event stream, the CLI, the dashboard; and on the export step of a pipeline. Once the fault
// is gone the export moves on and the last error is cleared.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { readServerSentEvents } from '../../src/client/server-sent-events.js';
import type { ExportView } from '../../src/exports/export-schemas.js';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { bodyOf } from '../support/api.js';
import { chromiumArgs, chromiumMissing, chromiumPath } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { createDestination, createExport, datasetIdByName, EVENTS_DATASET, getExport, waitForExport } from '../worker/helpers.js';
import { startListeningWorld, type ListeningWorld } from './support.js';

const TARGET_CONNECTIONS = '/data/foundation/flowservice/targetConnections';

describe('a waiting job shows its last Platform error', () => {
  let world: ListeningWorld;
  let exportId: string;
  let pipelineId: string;
  /** The last error as GET first showed it with at least two attempts. */
  let seen: NonNullable<ExportView['lastError']>;

  before(async () => {
    world = await startListeningWorld();
    const datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    const destinationId = await createDestination(world.api, 'dlz');
    await world.sim.setFaults({ rules: [{ match: { method: 'POST', pathPrefix: TARGET_CONNECTIONS }, effect: 'error5xx', status: 503 }] });
    exportId = (await createExport(world.api, { datasetId, destinationId, path: 'retries/export' })).id;
    const pipeline = await world.api.post(world.api.keys.tenantA, '/pipelines', {
      name: 'retries',
      steps: [{ kind: 'export', name: 'training-set', datasetId, destinationId, path: 'retries/pipeline' }],
    });
    assert.equal(pipeline.statusCode, 202, pipeline.body);
    pipelineId = bodyOf<PipelineView>(pipeline).id;
  });

  after(async () => {
    await world?.close();
  });

  test('GET /exports/:id: the failure, the attempt and the next retry, while the export waits', async () => {
    const waiting = await waitForExport(world.api, exportId, (e) => (e.lastError?.attempt ?? 0) >= 2, 60_000);
    assert.ok(['running', 'waiting_for_platform'].includes(waiting.status), waiting.status);
    assert.equal(waiting.step, 'target_connection');
    assert.equal(waiting.error, null, 'not failed: still retrying');
    const last = waiting.lastError ?? assert.fail('no lastError');
    assert.equal(last.code, 'platform_transient');
    assert.equal(last.step, 'target_connection');
    assert.equal(last.httpStatus, 503);
    assert.ok(last.platformCode, 'the Platform code is shown');
    assert.ok(last.message.length > 0);
    assert.ok(last.nextRetryAt && !Number.isNaN(Date.parse(last.nextRetryAt)), String(last.nextRetryAt));
    assert.ok(last.at && Date.parse(last.nextRetryAt) >= Date.parse(last.at));
    seen = last;
    // `attempts` is the same retry counter.
    assert.equal(waiting.attempts, last.attempt);
    // The attempt climbs while the fault stays.
    const later = await waitForExport(world.api, exportId, (e) => (e.lastError?.attempt ?? 0) > last.attempt, 60_000);
    assert.equal(later.lastError?.platformCode, last.platformCode);
    // The list shows it too.
    const list = bodyOf<{ items: ExportView[] }>(await world.api.get(world.api.keys.tenantA, '/exports?limit=10'));
    assert.ok(list.items.find((e) => e.id === exportId)?.lastError);
  });

  test('the event stream carries it', async () => {
    const controller = new AbortController();
    const response = await fetch(`${world.baseUrl}/exports/${exportId}/events`, {
      headers: { authorization: `Bearer ${world.api.keys.tenantA}` },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    let fromStream: ExportView['lastError'] = null;
    for await (const event of readServerSentEvents(response.body ?? assert.fail('no body'))) {
      if (event.event !== 'export') continue;
      const view = JSON.parse(event.data) as ExportView;
      if (view.lastError !== null) {
        fromStream = view.lastError;
        break;
      }
    }
    controller.abort();
    assert.equal(fromStream?.code, seen.code);
    assert.equal(fromStream?.platformCode, seen.platformCode);
    assert.equal(fromStream?.step, 'target_connection');
    assert.ok((fromStream?.attempt ?? 0) >= 1);
  });

  test('the CLI prints it (exports get, pipelines get)', async () => {
    const common = ['--url', world.baseUrl, '--key', world.api.keys.tenantA];
    const exportRun = await runCli(['exports', 'get', exportId, ...common]);
    assert.equal(exportRun.code, 0, exportRun.stderr);
    const line = exportRun.stdout.split('\n').find((l) => l.startsWith('last error')) ?? assert.fail(exportRun.stdout);
    assert.match(line, /retrying target_connection: platform_transient/);
    assert.ok(line.includes(seen.platformCode ?? '?'), line);
    assert.match(line, /attempt \d+, next try \d{4}-/);

    await waitForPipelineRetrying();
    const pipelineRun = await runCli(['pipelines', 'get', pipelineId, ...common]);
    assert.equal(pipelineRun.code, 0, pipelineRun.stderr);
    assert.match(pipelineRun.stdout, /training-set\s+export\s+waiting\s+retrying target_connection: platform_transient/);
  });

  /** The pipeline's export step relays its export's last error. */
  async function waitForPipelineRetrying(): Promise<PipelineView> {
    const until = Date.now() + 60_000;
    for (;;) {
      const view = bodyOf<PipelineView>(await world.api.get(world.api.keys.tenantA, `/pipelines/${pipelineId}`));
      if (view.steps[0]?.lastError) return view;
      if (Date.now() > until) assert.fail(`the pipeline step never showed a last error: ${JSON.stringify(view.steps[0])}`);
      await sleep(100);
    }
  }

  test('GET /pipelines/:id: the export step shows its export\'s last error, the pipeline its current step\'s', async () => {
    const view = await waitForPipelineRetrying();
    assert.equal(view.status === 'waiting' || view.status === 'running', true, view.status);
    const step = view.steps[0] ?? assert.fail('no step');
    assert.equal(step.state, 'waiting');
    assert.equal(step.lastError?.code, 'platform_transient');
    assert.equal(step.lastError?.step, 'target_connection');
    assert.equal(step.lastError?.platformCode, seen.platformCode);
    assert.ok((step.lastError?.attempt ?? 0) >= 1);
    assert.deepEqual(view.lastError, step.lastError);
    const list = bodyOf<{ items: PipelineView[] }>(await world.api.get(world.api.keys.tenantA, '/pipelines?limit=10'));
    assert.equal(list.items.find((p) => p.id === pipelineId)?.lastError?.code, 'platform_transient');
  });

  test('the dashboard shows it on the export page and in the pipelines list', { skip: chromiumMissing }, async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    try {
      const page = await browser.newPage();
      await page.goto(`${world.baseUrl}/dashboard`);
      await page.fill('#api-key', world.api.keys.tenantA);
      await page.click('#login-form button[type=submit]');
      await page.locator('#exports-table').waitFor({ state: 'visible' });
      await page.goto(`${world.baseUrl}/dashboard#/exports/${exportId}`);
      const box = page.locator('#export-last-error');
      await box.waitFor({ state: 'visible' });
      assert.equal(await box.locator('dd[data-field="lastErrorCode"]').textContent(), 'platform_transient');
      assert.equal(await box.locator('dd[data-field="lastErrorStep"]').textContent(), 'target_connection');
      assert.equal(await box.locator('dd[data-field="lastErrorPlatformCode"]').textContent(), seen.platformCode);
      assert.match((await box.locator('dd[data-field="lastErrorAttempt"]').textContent()) ?? '', /^\d+$/);

      await page.click('#tab-pipelines');
      const cell = page.locator(`#pipelines-table tr[data-id="${pipelineId}"] td[data-field="lastError"]`);
      await cell.waitFor({ state: 'visible' });
      assert.match((await cell.textContent()) ?? '', /attempt \d+/);
      assert.ok(((await cell.textContent()) ?? '').includes(seen.platformCode ?? '?'));
    } finally {
      await browser.close();
    }
  });

  test('once the Platform answers again the export moves on and the last error is cleared', async () => {
    await world.sim.setFaults({});
    const moved = await waitForExport(world.api, exportId, (e) => e.step !== 'target_connection' || e.status === 'succeeded', 60_000);
    assert.equal(moved.lastError, null);
    assert.equal(moved.attempts, 0, 'the failures at target_connection are behind it');
    const done = await waitForExport(world.api, exportId, undefined, 60_000);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal((await getExport(world.api, exportId)).lastError, null);
    const pipeline = bodyOf<PipelineView>(await world.api.get(world.api.keys.tenantA, `/pipelines/${pipelineId}`));
    assert.equal(pipeline.steps[0]?.lastError ?? null, null);
  });
});

// Pipeline schedules on the dashboard's Pipelines tab, in headless Chromium: a template scheduled
// every "hour" (two seconds here, PIPELINE_SCHEDULE_HOUR_MS) is listed with its cadence and next
// instant; its occurrences appear on the page as the worker fires them, each started one linking
// to its run; pause and resume ask first, do nothing when refused, and act when accepted. A
// screenshot of the tab is kept under test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import type { ScheduleView } from '../../src/pipelines/schedules/schedule-schemas.js';
import { bodyOf } from '../support/api.js';
import { chromiumMissing, openBrowserPage, signInToDashboard, type BrowserPage } from '../support/browser.js';
import { createDlz, startPipelineWorld, type PipelineWorld } from '../pipelines/support.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('dashboard: pipeline schedules', { skip: chromiumMissing }, () => {
  let world: PipelineWorld;
  let browser: BrowserPage;
  let page: Page;
  let schedule: ScheduleView;

  const getSchedule = async () => bodyOf<ScheduleView>(await world.api.get(world.api.keys.tenantA, `/pipeline-schedules/${schedule.id}`));
  const row = () => page.locator(`#schedules-table tr[data-schedule-id="${schedule?.id}"]`);

  before(async () => {
    world = await startPipelineWorld({ env: { PIPELINE_SCHEDULE_HOUR_MS: '2000' } });
    const destinationId = await createDlz(world.api);
    const template = await world.api.post(world.api.keys.tenantA, '/pipeline-templates', {
      name: 'scheduled ingest',
      steps: [{ kind: 'ingest', name: 'in', scores: { destinationId: '{{dest}}', path: 'scores/scores.json' } }],
      parameters: { dest: { type: 'string' } },
    });
    assert.equal(template.statusCode, 201, template.body);
    const created = await world.api.post(world.api.keys.tenantA, '/pipeline-schedules', {
      name: 'nightly scores',
      templateId: bodyOf<{ id: string }>(template).id,
      parameters: { dest: destinationId },
      everyHours: 1,
    });
    assert.equal(created.statusCode, 201, created.body);
    schedule = bodyOf<ScheduleView>(created);
    browser = await openBrowserPage();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  test('the Pipelines tab lists the schedule, and its runs appear as the instants fire', async () => {
    await signInToDashboard(page, world.baseUrl, world.api.keys.tenantA, '#/pipelines');
    await row().waitFor();
    const cells = await row().locator('td').allTextContents();
    assert.equal(cells[0], 'nightly scores');
    assert.equal(cells[1], 'active');
    assert.match(cells[2] ?? '', /^every 1 h from /);
    assert.notEqual(cells[3], '—', 'the next instant is shown');

    // The page reads the schedules again by itself: started occurrences appear, linked to their run.
    const started = row().locator('li[data-outcome="started"] a[data-pipeline-id]');
    await started.nth(1).waitFor({ timeout: 60_000 });
    const view = await getSchedule();
    for (const item of await row().locator('li[data-outcome]').all()) {
      const instant = await item.getAttribute('data-instant');
      const occurrence = view.recentOccurrences.find((o) => o.instant === instant);
      assert.ok(occurrence, `${instant ?? '?'} is one of the schedule's occurrences`);
      assert.equal(await item.getAttribute('data-outcome'), occurrence.outcome);
    }
    const runId = (await started.first().getAttribute('data-pipeline-id')) ?? '';
    const run = bodyOf<PipelineView>(await world.api.get(world.api.keys.tenantA, `/pipelines/${runId}`));
    assert.equal(run.scheduleId, schedule.id, 'the linked run is the schedule’s');
    // The pipelines list above is kept fresh too: the scheduled run shows there without a reload.
    await page.locator(`#pipelines-table tr[data-id="${runId}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#pipelines-empty').isVisible(), false);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard-pipeline-schedules.png`, fullPage: true });

    await started.first().click();
    await page.waitForURL((url) => url.hash === `#/pipelines/${runId}`);
    await page.locator('#pipeline-root h2').waitFor();
    await page.click('#tab-pipelines');
    await row().waitFor();
  });

  test('pause asks first: refused, nothing changes; accepted, the schedule is paused with no next instant', async () => {
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row().locator('button[data-action="pause"]').click();
    assert.equal((await getSchedule()).status, 'active');

    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await row().locator('button[data-action="pause"]').click();
    await row().locator('.badge[data-status="paused"]').waitFor();
    assert.match(question, /Pause schedule "nightly scores"/);
    const paused = await getSchedule();
    assert.equal(paused.status, 'paused');
    assert.equal(paused.nextRunAt, null);
    assert.equal(await row().locator('td[data-field="nextRunAt"]').textContent(), '—');
  });

  test('resume asks first, then the schedule is active again', async () => {
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row().locator('button[data-action="resume"]').click();
    assert.equal((await getSchedule()).status, 'paused');

    page.once('dialog', (dialog) => void dialog.accept());
    await row().locator('button[data-action="resume"]').click();
    await row().locator('.badge[data-status="active"]').waitFor();
    assert.equal((await getSchedule()).status, 'active');
    await world.api.delete(world.api.keys.tenantA, `/pipeline-schedules/${schedule.id}`);
  });

  test('no script errors or CSP violations', () => {
    assert.deepEqual(browser.pageErrors, []);
  });
});

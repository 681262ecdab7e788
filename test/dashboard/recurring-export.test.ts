// A recurring export on the dashboard, in headless Chromium: a PT3H export under the simulator's
// schedule time scale is opened before its first run, and the page, without reloading, shows its
// runs appear one after another with their files, as the API reports them; the pause and resume
// buttons ask first, do nothing when refused, and pause and resume the export when accepted (runs
// appear again after resume). A screenshot of the page is kept under test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { bodyOf } from '../support/api.js';
import { chromiumMissing, openBrowserPage, signInToDashboard, type BrowserPage } from '../support/browser.js';
import { startListeningWorld, type ListeningWorld } from '../ops/support.js';
import { createDestination, datasetIdByName, EVENTS_DATASET, getExport, waitForExport } from '../worker/helpers.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Platform seconds per real second: a PT3H flow fires every 4 s, time enough for the page to show each run. */
const TIME_SCALE = 2700;

/** The run rows on the page: run id, state, files cell. */
async function runRows(page: Page): Promise<{ id: string; state: string; files: string; title: string | null }[]> {
  const rows = await page.locator('#runs-table tbody tr').all();
  return Promise.all(
    rows.map(async (row) => {
      const cells = row.locator('td');
      return {
        id: (await row.getAttribute('data-run-id')) ?? '',
        state: (await cells.nth(1).textContent()) ?? '',
        files: (await cells.nth(3).textContent()) ?? '',
        title: await cells.nth(3).getAttribute('title'),
      };
    }),
  );
}

/** Waits until the page shows at least `count` succeeded runs. */
async function waitForSucceededRows(page: Page, count: number): Promise<void> {
  await page.locator('#runs-table tbody tr .badge.succeeded').nth(count - 1).waitFor({ timeout: 60_000 });
}

describe('dashboard: a recurring export', { skip: chromiumMissing }, () => {
  let world: ListeningWorld;
  let browser: BrowserPage;
  let page: Page;
  let exportId: string;

  before(async () => {
    world = await startListeningWorld({
      simulator: { scheduleTimeScale: TIME_SCALE },
      env: { RECURRING_POLL_INITIAL_MS: '100', RECURRING_POLL_MAX_MS: '300' },
      // No worker yet: the page is watching before anything runs.
      noWorker: true,
    });
    const datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    const destinationId = await createDestination(world.api, 'dlz');
    const response = await world.api.post(world.api.keys.tenantA, '/exports', {
      datasetId,
      destinationId,
      path: 'dashboard/recurring',
      format: 'json',
      compression: 'gzip',
      schedule: { every: 'PT3H' },
    });
    assert.equal(response.statusCode, 202, response.body);
    exportId = bodyOf<ExportView>(response).id;
    browser = await openBrowserPage();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  test('the run history grows on the page as the scheduled runs happen, each with its files', async () => {
    await signInToDashboard(page, world.baseUrl, world.api.keys.tenantA, `#/exports/${exportId}`);
    await page.locator('#export-status[data-status="queued"]').waitFor();
    await page.locator('#runs-empty').waitFor({ state: 'visible' });
    // Record every number of succeeded runs the page shows from now on, without reloading it
    // (page-side script as text: this project compiles without the DOM library).
    await page.evaluate(`(() => {
      const tbody = document.querySelector('#runs-table tbody');
      const succeeded = () => tbody.querySelectorAll('.badge.succeeded').length;
      window.seenRunCounts = [succeeded()];
      new MutationObserver(() => {
        if (window.seenRunCounts.at(-1) !== succeeded()) window.seenRunCounts.push(succeeded());
      }).observe(tbody, { childList: true, subtree: true });
    })()`);

    await world.startWorker();
    await page.locator('#export-status[data-status="active"]').waitFor({ timeout: 60_000 });
    await waitForSucceededRows(page, 3);
    const seen = await page.evaluate<number[]>('window.seenRunCounts');
    assert.equal(seen[0], 0);
    assert.deepEqual(seen.slice(0, 4), [0, 1, 2, 3], `the runs appeared one after another: ${seen.join(' → ')}`);

    // Every succeeded run on the page is one of the export's runs, with the files the API lists for
    // it (the first, full run landed parts; later incremental ones may have nothing new).
    const view = await getExport(world.api, exportId);
    const rows = (await runRows(page)).filter((r) => r.state === 'succeeded');
    assert.ok(rows.length >= 3);
    for (const row of rows) {
      const run = view.runs.find((r) => r.id === row.id);
      assert.ok(run, `run ${row.id} on the page is one of the export's runs`);
      assert.equal(row.files, String(run.files));
      assert.ok(run.landedFiles.length >= 1, `run ${run.id} has its files listed`);
      assert.equal(row.title, [run.folderUri, ...run.landedFiles.map((f) => f.path)].join('\n'), 'the files cell lists the run\'s own files');
    }
    const first = [...view.runs].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt))[0];
    assert.ok((first?.files ?? 0) > 0, 'the first, full run landed part files');
    assert.ok(((await page.textContent('#export-details dd[data-field="nextRunAt"]')) ?? '—') !== '—', 'the next run is shown');
    assert.match((await page.textContent('#export-details dd[data-field="lastRun"]')) ?? '', /^(succeeded|in progress|in_progress) /);

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard-recurring-export.png`, fullPage: true });
  });

  test('pause asks first: refused, the export stays active; accepted, it is paused', async () => {
    let question = '';
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#export-pause');
    assert.equal((await getExport(world.api, exportId)).status, 'active');

    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.click('#export-pause');
    await page.locator('#export-status[data-status="paused"]').waitFor();
    assert.match(question, /Pause the schedule of export/);
    assert.equal((await getExport(world.api, exportId)).status, 'paused');
    assert.equal(await page.locator('#export-resume').isVisible(), true);
    assert.equal(await page.locator('#export-pause').isVisible(), false);
  });

  test('resume asks first, then the export is active again and new runs appear on the page', async () => {
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#export-resume');
    assert.equal((await getExport(world.api, exportId)).status, 'paused');

    const atResume = (await getExport(world.api, exportId)).runs.filter((r) => r.state === 'succeeded').length;
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#export-resume');
    await page.locator('#export-status[data-status="active"]').waitFor();
    assert.equal(await page.locator('#export-pause').isVisible(), true);
    await waitForSucceededRows(page, atResume + 1);
    const view = await waitForExport(world.api, exportId, (e) => e.runs.filter((r) => r.state === 'succeeded').length > atResume);
    assert.equal(view.status, 'active');
  });

  test('no script errors or CSP violations on the page', () => {
    assert.deepEqual(browser.pageErrors, []);
  });
});

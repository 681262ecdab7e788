// The web dashboard in headless Chromium (Debian's package, driven by playwright-core): sign in
// with an API key, find the export in the list, open it while it is still queued, start the worker
// and watch the page follow it live to `succeeded`; then check the DOM against the API and save a
// screenshot under test-artifacts/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { bodyOf } from '../support/api.js';
import { chromiumMissing, openBrowserPage, type BrowserPage } from '../support/browser.js';
import { createDestination, createExport, datasetIdByName, EVENTS_DATASET } from '../worker/helpers.js';
import { startListeningWorld, type ListeningWorld } from '../ops/support.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('web dashboard', { skip: chromiumMissing }, () => {
  let world: ListeningWorld;
  let browser: BrowserPage;
  let page: Page;
  let exportId: string;

  before(async () => {
    // No worker yet: the export waits, queued, until the page is watching it.
    world = await startListeningWorld({ noWorker: true });
    const datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    const destinationId = await createDestination(world.api, 'dlz');
    exportId = (await createExport(world.api, { datasetId, destinationId, path: 'dashboard/a' })).id;
    browser = await openBrowserPage();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await world?.close();
  });

  test('asks for a key, refuses a wrong one, then lists the exports', async () => {
    await page.goto(`${world.baseUrl}/dashboard`);
    await page.locator('#login-view').waitFor({ state: 'visible' });
    await page.fill('#api-key', 'aepj_not_a_real_key');
    await page.click('#login-form button[type=submit]');
    await page.locator('#login-error').waitFor({ state: 'visible' });
    assert.match((await page.textContent('#login-error')) ?? '', /refused/);

    await page.fill('#api-key', world.api.keys.tenantA);
    await page.click('#login-form button[type=submit]');
    const row = page.locator(`#exports-table tr[data-export-id="${exportId}"]`);
    await row.waitFor({ state: 'visible' });
    assert.match((await row.textContent()) ?? '', /queued/);
    // The key stays in this tab only.
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('aepj.apiKey')"), world.api.keys.tenantA);
  });

  test('filters narrow the list', async () => {
    await page.selectOption('#filter-status', 'failed');
    await page.click('#filters button[type=submit]');
    await page.locator('#exports-empty').waitFor({ state: 'visible' });
    await page.selectOption('#filter-status', 'queued');
    await page.click('#filters button[type=submit]');
    await page.locator(`#exports-table tr[data-export-id="${exportId}"]`).waitFor({ state: 'visible' });
  });

  test('follows the export live from queued to succeeded, with steps, Platform ids, runs', async () => {
    await page.click(`#exports-table tr[data-export-id="${exportId}"]`);
    await page.locator('#export-status[data-status="queued"]').waitFor();
    await page.locator('#live-indicator[data-live="live"]').waitFor();
    // Record every status the page shows from now on, without reloading it (page-side script as
    // text: this project compiles without the DOM library).
    await page.evaluate(`(() => {
      const badge = document.getElementById('export-status');
      window.seenStatuses = [badge.dataset.status];
      new MutationObserver(() => {
        if (window.seenStatuses.at(-1) !== badge.dataset.status) window.seenStatuses.push(badge.dataset.status);
      }).observe(badge, { attributes: true, attributeFilter: ['data-status'] });
    })()`);

    await world.startWorker();
    await page.locator('#export-status[data-status="succeeded"]').waitFor({ timeout: 60_000 });
    await page.locator('#live-indicator[data-live="final"]').waitFor();
    const seen = await page.evaluate<string[]>('window.seenStatuses');
    assert.equal(seen[0], 'queued');
    assert.equal(seen.at(-1), 'succeeded');
    assert.ok(seen.length >= 3, `the page showed the way there: ${seen.join(' → ')}`);

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard-export-succeeded.png`, fullPage: true });

    const view = bodyOf<ExportView>(await world.api.get(world.api.keys.tenantA, `/exports/${exportId}`));
    assert.equal(view.status, 'succeeded');
    // Every step is done.
    const states = await Promise.all((await page.locator('#timeline li[data-step]').all()).map((li) => li.getAttribute('data-state')));
    assert.ok(states.length >= 8);
    assert.deepEqual(new Set(states), new Set(['done']));
    // Platform ids as the API reports them.
    for (const [field, value] of Object.entries(view.platform)) {
      assert.ok(value, `${field} is set`);
      assert.equal(await page.textContent(`#platform-ids dd[data-field="${field}"]`), value, field);
    }
    // One run, its Platform run id and file count as the API reports them.
    const run = view.runs[0];
    assert.ok(run?.platformRunId);
    const runRow = page.locator(`#runs-table tr[data-run-id="${run.id}"]`);
    const cells = await runRow.locator('td').allTextContents();
    assert.equal(cells[1], 'succeeded');
    assert.equal(cells[2], run.platformRunId);
    assert.equal(cells[3], String(run.files));
    assert.equal(await page.locator('#runs-table tbody tr').count(), view.runs.length);
    assert.equal(await page.locator('#export-error').isVisible(), false);
  });

  test('the pipelines tab says there are none yet until the API has them', async () => {
    const pipelinesRoute = await world.api.get(world.api.keys.tenantA, '/pipelines');
    await page.click('#tab-pipelines');
    if (pipelinesRoute.statusCode === 404) {
      await page.locator('#pipelines-empty').waitFor({ state: 'visible' });
      assert.match((await page.textContent('#pipelines-empty')) ?? '', /No pipelines yet/);
    } else {
      await page.locator('#pipelines-table').waitFor({ state: 'visible' });
    }
  });

  test('no script errors or CSP violations on the page', () => {
    // Expected: the wrong key's 401, and the 404 that tells the page there are no pipelines yet.
    const expected = (e: string) => /status of 401 .*\/exports\?limit=1$/.test(e) || /status of 404 .*\/pipelines\?limit=25$/.test(e);
    assert.deepEqual(browser.pageErrors.filter((e) => !expected(e)), []);
  });
});

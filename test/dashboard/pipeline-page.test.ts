// The dashboard's pipeline page in headless Chromium: the CMLE pipeline run to the end, opened
// from the Pipelines tab, shows its steps with durations, outputs and ids, the model's AUC as an
// SVG charts (AUC, score histogram, reach against propensity), the audience size and the activation's files, as the API reports them; the rerun and
// cancel buttons ask first and do nothing when refused. A screenshot of the page is written to a
// temp folder; UPDATE_SCREENSHOTS=1 writes the one kept in docs/screenshots/ instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { cmlePipelineSteps } from '../../src/pipelines/cmle-example.js';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { bodyOf } from '../support/api.js';
import { chromiumMissing, docsScreenshotPath, openBrowserPage, signInToDashboard, type BrowserPage } from '../support/browser.js';
import { createDlz, startPipeline, startPipelineWorld, waitForPipeline, type PipelineWorld } from '../pipelines/support.js';

describe('dashboard pipeline page', { skip: chromiumMissing }, () => {
  let world: PipelineWorld;
  let browser: BrowserPage;
  let page: Page;
  let done: PipelineView;

  before(async () => {
    world = await startPipelineWorld({ simulator: { seedUsers: 60 } });
    const destinationId = await createDlz(world.api);
    const accepted = await startPipeline(world.api, {
      name: 'CMLE propensity',
      steps: cmlePipelineSteps({ exportDestinationId: destinationId, activationDestinationId: destinationId, exportPath: 'page/egress', activationPath: 'page/audiences' }),
    });
    done = await waitForPipeline(world.api, accepted.id, undefined, 180_000);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    browser = await openBrowserPage();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  test('opens from the Pipelines tab and shows steps, AUC chart, audience and activation as the API has them', async (t) => {
    await signInToDashboard(page, world.baseUrl, world.api.keys.tenantA, '#/pipelines');
    await page.click('#tab-pipelines');
    await page.click(`#pipelines-table tr[data-id="${done.id}"]`);
    await page.locator('#pipeline-root .pipeline-timeline').waitFor();

    const steps = page.locator('#pipeline-root .pipeline-timeline li[data-step]');
    assert.deepEqual(await Promise.all((await steps.all()).map((li) => li.getAttribute('data-step'))), done.steps.map((s) => s.name));
    for (const step of done.steps) {
      const text = (await page.locator(`#pipeline-root li[data-step="${step.name}"]`).textContent()) ?? '';
      assert.match(text, /succeeded/);
      for (const value of [...Object.values(step.externalIds), ...Object.values(step.outputs)]) {
        if (typeof value === 'string' || typeof value === 'number') assert.ok(text.includes(String(value)), `${step.name} shows ${String(value)}`);
      }
    }
    assert.ok((await page.locator('#pipeline-root .duration').count()) === done.steps.length, 'every step shows its duration');

    const ml = done.steps.find((s) => s.kind === 'ml');
    const bars = await Promise.all((await page.locator('#pipeline-root svg[data-chart="auc"] rect.bar').all()).map((rect) => rect.getAttribute('data-value')));
    assert.deepEqual(bars, [Number(ml?.outputs.aucTrain).toFixed(3), Number(ml?.outputs.auc).toFixed(3)]);
    // The score histogram and reach curve, from the ingest step's scoreHistogram (all scored rows).
    const histogram = done.steps.find((s) => s.kind === 'ingest')?.outputs.scoreHistogram as number[];
    assert.equal(histogram.reduce((a, b) => a + b, 0), ml?.outputs.scoredRows);
    const counts = await Promise.all((await page.locator('#pipeline-root svg[data-chart="histogram"] rect.bar').all()).map((rect) => rect.getAttribute('data-count')));
    assert.deepEqual(counts, histogram.map(String));
    const reach = await page.getAttribute('#pipeline-root svg[data-chart="reach"] polyline', 'data-reach');
    assert.equal(reach?.split(',')[0], String(ml?.outputs.scoredRows));
    const audience = done.steps.find((s) => s.kind === 'audience');
    assert.match((await page.textContent('#pipeline-root [data-field="audience-size"]')) ?? '', new RegExp(`^${String(audience?.outputs.audienceSize)} of ${String(audience?.outputs.totalProfiles)} profiles`));
    const activation = done.steps.find((s) => s.kind === 'activate');
    assert.ok(((await page.textContent('#pipeline-root .activation')) ?? '').includes(String(activation?.outputs.files)));
    assert.equal(await page.locator('#pipeline-cancel').isDisabled(), true, 'an ended pipeline cannot be cancelled');

    const screenshot = await docsScreenshotPath('pipeline-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);
  });

  test('rerun asks first: refused, nothing happens; accepted, the new pipeline opens', async () => {
    const count = async () => bodyOf<{ items: unknown[] }>(await world.api.get(world.api.keys.tenantA, '/pipelines?limit=100')).items.length;
    const before = await count();
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('#pipeline-rerun');
    assert.equal(await count(), before);

    page.once('dialog', (dialog) => {
      assert.match(dialog.message(), /Run "CMLE propensity" again/);
      void dialog.accept();
    });
    await page.click('#pipeline-rerun');
    await page.waitForURL((url) => /#\/pipelines\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.endsWith(done.id));
    assert.equal(await count(), before + 1);
    const newId = new URL(page.url()).hash.split('/').at(-1) ?? '';

    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#pipeline-cancel:not([disabled])').click();
    await page.locator('#pipeline-root h2 .badge.cancelled').waitFor();
    assert.equal(bodyOf<PipelineView>(await world.api.get(world.api.keys.tenantA, `/pipelines/${newId}`)).status, 'cancelled');
  });

  test('no script errors or CSP violations', () => {
    assert.deepEqual(browser.pageErrors, []);
  });
});

// Tests change no tracked file: a screenshot kept in docs/ is written by a test run only when the
// run asks for it (UPDATE_SCREENSHOTS=1, through docsScreenshotPath); otherwise to a temp folder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { docsScreenshotPath } from '../support/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** A path built into the docs folder (where the tracked screenshots are). */
const INTO_DOCS = /new URL\(\s*['"`](?:\.\.\/)+docs\//;

test('only docsScreenshotPath builds a path into docs/ from the tests', () => {
  const files = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 50, `only ${files.length} test files found: the scan is broken`);
  const building = files.filter((f) => INTO_DOCS.test(readFileSync(join(root, 'test', f), 'utf8'))).map((f) => f.split('\\').join('/'));
  assert.deepEqual(building, ['support/browser.ts']);
});

test('a screenshot goes to a temp folder unless UPDATE_SCREENSHOTS=1', async () => {
  const saved = process.env.UPDATE_SCREENSHOTS;
  try {
    delete process.env.UPDATE_SCREENSHOTS;
    const temp = await docsScreenshotPath('page.png');
    assert.ok(relative(root, temp).startsWith('..'), `${temp} is outside the checkout`);
    await rm(dirname(temp), { recursive: true });
    process.env.UPDATE_SCREENSHOTS = '1';
    assert.equal(await docsScreenshotPath('page.png'), join(root, 'docs', 'screenshots', 'page.png'));
  } finally {
    if (saved === undefined) delete process.env.UPDATE_SCREENSHOTS;
    else process.env.UPDATE_SCREENSHOTS = saved;
  }
});

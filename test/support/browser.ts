// Debian's Chromium for browser tests through playwright-core: where it is, how it is started, and
// the dashboard's sign-in.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Why a browser test is skipped here, or false when Chromium is installed. */
export const chromiumMissing = existsSync(chromiumPath) ? false : `${chromiumPath} is missing (apt-get install chromium)`;

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Where a screenshot kept in the docs is written: a fresh temp folder (tests never change tracked
 * files), or docs/screenshots/ when the run is asked to refresh it with UPDATE_SCREENSHOTS=1.
 */
export async function docsScreenshotPath(name: string): Promise<string> {
  const folder =
    process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : await mkdtemp(`${tmpdir()}/aepj-screenshots-`);
  await mkdir(folder, { recursive: true });
  return `${folder.replace(/\/$/, '')}/${name}`;
}

/** A headless Chromium with one page whose script errors and console errors are collected. */
export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Uncaught page errors and console errors (with the URL they came from). */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowserPage(): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${message.text()} ${message.location().url}`);
  });
  return { browser, page, pageErrors, close: () => browser.close() };
}

/** Opens the dashboard at `hash` and signs in with `key`; the page then shows that view. */
export async function signInToDashboard(page: Page, baseUrl: string, key: string, hash = ''): Promise<void> {
  await page.goto(`${baseUrl}/dashboard${hash}`);
  await page.fill('#api-key', key);
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-view').waitFor({ state: 'hidden' });
}

// Debian's Chromium for browser tests through playwright-core: where it is and how it is started.
import { existsSync } from 'node:fs';

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

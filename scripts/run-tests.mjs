#!/usr/bin/env node
// Runs the test suite with Node's own test runner (TypeScript through tsx).
// Usage: npm test [-- <path filter> ...]   e.g. npm test -- simulator
// Chaos tests live in test/chaos and run only through `npm run test:chaos`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const includeChaos = args.includes('--chaos');
const filters = args.filter((a) => !a.startsWith('--'));

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (name.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

const files = findTests('test')
  .map((f) => relative('.', f))
  .filter((f) => includeChaos === f.startsWith(join('test', 'chaos')))
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// Every test that starts the simulator checks its traffic against Adobe's OpenAPI files, read from
// the shared/adobe-openapi folder beside the clone (test/support/adobe-spec-dir.ts).
const specDir = process.env.ADOBE_OPENAPI_DIR ?? fileURLToPath(new URL('../../shared/adobe-openapi/', import.meta.url));
if (!existsSync(join(specDir, 'destinations.yaml'))) {
  console.error(`Adobe's OpenAPI files are not at ${specDir}: clone the project beside the shared/ folder, or set ADOBE_OPENAPI_DIR.`);
  process.exit(1);
}

// One test file more than there are cores: most files spend much of their time waiting on the
// processes they start (API, worker, simulator, storage emulators), so cores stay idle with one
// file per core. Chaos scenarios load the machine on purpose, so they run one per core.
// TEST_CONCURRENCY overrides both.
const concurrency = process.env.TEST_CONCURRENCY ?? String(availableParallelism() + (includeChaos ? 0 : 1));
const child = spawn(
  process.execPath,
  [
    '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${fileURLToPath(new URL('./file-timings-reporter.mjs', import.meta.url))}`, '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

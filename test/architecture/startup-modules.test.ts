// What a process loads at start: the API's app and the worker import no storage SDK (AWS, Azure,
// SSH) until a destination needs one (src/storage/store-factory.ts loads them on first use). Loading
// them costs over a second of CPU, at every start of every API, worker and test process. A child
// process records every module its loader sees while importing the entry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STORAGE_SDKS = ['@aws-sdk/', '@azure/', 'ssh2'];

/** Loader hooks, inline: each module URL the ESM loader loads, and each file CommonJS requires. */
const recorder = `
import { register } from 'node:module';
import Module from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function load(url, context, next) { process.stderr.write('module ' + url + '\\\\n'); return next(url, context); }"
));
const load = Module._load;
Module._load = function (request, ...rest) {
  if (!request.startsWith('node:')) process.stderr.write('module ' + request + '\\n');
  return load.call(this, request, ...rest);
};
`;

function modulesLoadedBy(entry: string): string[] {
  const run = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(recorder)}`, '--import', 'tsx', '-e', `await import(${JSON.stringify(`./${entry}`)})`],
    { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test' } },
  );
  assert.equal(run.status, 0, run.stderr);
  return run.stderr
    .split('\n')
    .filter((line) => line.startsWith('module '))
    .map((line) => line.slice('module '.length));
}

for (const entry of ['src/app.ts', 'src/worker.ts']) {
  test(`${entry} loads no storage SDK at start`, () => {
    const loaded = modulesLoadedBy(entry);
    assert.ok(loaded.some((m) => m.includes('bullmq')), `the recorder saw ${loaded.length} modules and no bullmq: it is broken`);
    const sdks = loaded.filter((m) => STORAGE_SDKS.some((sdk) => m.includes(sdk)));
    assert.deepEqual(sdks, []);
  });
}

test('the recorder sees a storage SDK when one is loaded', () => {
  const loaded = modulesLoadedBy('src/storage/azure-stores.ts');
  assert.ok(loaded.some((m) => m.includes('@azure/storage-blob')), loaded.slice(0, 20).join('\n'));
});

// The import rules of .dependency-cruiser.cjs (run by `npm run lint`) bite: in a fixture with one
// planted violation of each rule, depcruise reports exactly those, and stays quiet about the
// allowed edges (http -> services, the composition root, the local entry starting the simulator and
// the service, pipelines using src/jobs/).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/import-rules/', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const cruiserPkgPath = join(root, 'node_modules/dependency-cruiser/package.json');
const cruiserBin = join(dirname(cruiserPkgPath), (JSON.parse(readFileSync(cruiserPkgPath, 'utf8')) as { bin: Record<string, string> }).bin.depcruise ?? '');

interface CruiseResult {
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

/** What `npm run lint` cruises: the product, the stand-ins' package and the scripts (the local entry). */
const cruisedFolders = ['src', 'packages/stand-ins/src', 'scripts'];

async function violationsIn(cwd: string): Promise<string[]> {
  const run = promisify(execFile);
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const { stdout } = await run(process.execPath, [cruiserBin, ...cruisedFolders, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const result = JSON.parse(stdout) as CruiseResult;
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

test('npm run lint runs the import rules', () => {
  assert.ok((pkg.scripts.lint ?? '').includes(`depcruise ${cruisedFolders.join(' ')} --config .dependency-cruiser.cjs`), pkg.scripts.lint);
});

test('each planted violation is reported, and nothing else', async () => {
  assert.deepEqual(await violationsIn(fixture), [
    'composition-root-at-entries: src/cli/main.ts -> src/services.ts',
    'export-worker-apart-from-pipelines: src/exports/worker/process-export.ts -> src/pipelines/pipeline-wake.ts',
    'http-on-top: src/exports/export-service.ts -> src/http/routes/pagination.ts',
    'no-circular: src/a.ts -> src/b.ts',
    'no-product-in-stand-ins: packages/stand-ins/src/ml-platform/run-store.ts -> src/b.ts',
    'no-stand-ins-in-product: src/admin/admin-cli.ts -> packages/stand-ins/src/simulator/config.ts',
    'pipelines-apart-from-export-worker: src/pipelines/worker/pipeline-outcome.ts -> src/exports/worker/backoff.ts',
    'services-above-stores: src/exports/export-store.ts -> src/exports/export-service.ts',
    'webhooks-below-pipelines: src/webhooks/callbacks.ts -> src/pipelines/pipeline-wake.ts',
  ]);
});

test('the product source keeps every rule', async () => {
  assert.deepEqual(await violationsIn(root), []);
});

// The product stands apart from its stand-ins: nothing the API, the worker or the local all-in-one
// service loads (src/server.ts, src/worker.ts, src/local-service.ts and everything they import,
// transitively) comes from packages/ (the simulator, the local ML platform, the storage emulators),
// and the service's configuration has no landing folder. The stand-ins are reached only over
// their protocols; only the local entry (scripts/start-local.ts, `npm start`) starts them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadConfig, serviceEnvSchema } from '../../src/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every source file reachable from `entry` through relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [join(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    // Prisma's generated client is not ours to scan (its text quotes paths that are not imports).
    if (file.includes(`${join('src', 'generated')}`)) continue;
    assert.ok(existsSync(file), `${relative(root, file)} is imported but does not exist`);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined) continue;
      pending.push(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
    }
  }
  return seen;
}

for (const entry of ['src/server.ts', 'src/worker.ts', 'src/local-service.ts']) {
  test(`${entry} loads no simulator and no ML platform code`, () => {
    const files = [...reachable(entry)].map((f) => relative(root, f).split('\\').join('/'));
    assert.ok(files.length > 50, `only ${files.length} files found: the import scan is broken`);
    assert.ok(files.includes('src/pipelines/worker/steps/ingest.ts') || entry === 'src/server.ts');
    assert.ok(files.every((f) => f.startsWith('src/')), `outside src/: ${files.filter((f) => !f.startsWith('src/')).join(', ')}`);
    assert.deepEqual(files.filter((f) => f.startsWith('packages/')), []);
  });
}

test('the service configuration has no landing folder', () => {
  assert.ok(!('LANDING_ZONE_DIR' in serviceEnvSchema.shape));
  const config = loadConfig({ LANDING_ZONE_DIR: '/somewhere/landing' });
  assert.doesNotMatch(JSON.stringify(config), /landing/i);
});

// `npm ci` installs exactly what package-lock.json records, so the lock must hold every platform's
// optional binaries (DuckDB's, esbuild's), not only this machine's: npm's known bug
// (npm/cli#4828) can drop the others when the lock is written on one platform, and `npm ci`
// elsewhere then fails or installs without a binary. `npm install --package-lock-only` restores
// them. CI and the image install with `npm ci`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');
const locked = (JSON.parse(read('package-lock.json')) as { packages: Record<string, { optionalDependencies?: Record<string, string> }> }).packages;

/** Where Node would find `name` from the package at `from` (its own node_modules, then its parents'). */
function resolvedEntry(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (locked[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

test('every optional dependency of a locked package is locked too (all platforms)', () => {
  const missing = Object.entries(locked).flatMap(([path, pkg]) =>
    Object.keys(pkg.optionalDependencies ?? {}).flatMap((name) => (resolvedEntry(path, name) === undefined ? [`${path || '(root)'} -> ${name}`] : [])),
  );
  assert.deepEqual(missing, []);
  // The platform binaries named in the issue: more than this machine's one each.
  for (const prefix of ['node_modules/@duckdb/node-bindings-', 'node_modules/@esbuild/']) {
    assert.ok(Object.keys(locked).filter((p) => p.startsWith(prefix)).length > 2, prefix);
  }
});

test('CI and the image install with npm ci', () => {
  assert.match(read('.ci/run'), /^npm ci\b/m);
  assert.match(read('Dockerfile'), /^RUN npm ci\b/m);
});

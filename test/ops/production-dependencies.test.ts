// The product's production install holds none of the stand-ins' dependencies: those belong to the
// workspace package packages/stand-ins (as its development dependencies), so `npm ls --omit=dev`
// at the root, which is what `npm ci --omit=dev` and the image install, lists none of them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const standInsOnly = ['@duckdb/node-api', 'hyparquet', 'hyparquet-writer', 'azurite', 's3rver', 'ssh2', 'pg-gateway', '@fastify/formbody'];

interface NpmLsNode {
  dependencies?: Record<string, NpmLsNode>;
}

function names(node: NpmLsNode, into = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(node.dependencies ?? {})) {
    into.add(name);
    names(child, into);
  }
  return into;
}

async function npmLs(args: string[]): Promise<Set<string>> {
  const run = promisify(execFile);
  const { stdout } = await run('npm', ['ls', '--all', '--json', ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return names(JSON.parse(stdout) as NpmLsNode);
}

test('npm ls --omit=dev lists no DuckDB, no Parquet reader or writer, no emulator', async () => {
  const production = await npmLs(['--omit=dev']);
  assert.ok(production.has('fastify') && production.has('@prisma/client'), 'the scan sees the production tree');
  // ssh2 stays when the product's SFTP client (ssh2-sftp-client) needs it; the SSH *server* is ssh2's
  // too, so only a direct dependency on it would be the stand-ins'.
  const found = standInsOnly.filter((name) => name !== 'ssh2' && production.has(name));
  assert.deepEqual(found, []);
});

test('the stand-ins declare them, and the root does not', async () => {
  const rootPkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { dependencies: Record<string, string>; workspaces: string[] };
  const standIns = JSON.parse(readFileSync(`${root}packages/stand-ins/package.json`, 'utf8')) as { devDependencies: Record<string, string> };
  assert.deepEqual(rootPkg.workspaces, ['packages/*']);
  for (const name of standInsOnly) {
    assert.equal(rootPkg.dependencies[name], undefined, `${name} is a production dependency of the product`);
    assert.ok(standIns.devDependencies[name], `${name} is not declared by the stand-ins`);
  }
  // Installed for development and tests all the same.
  const all = await npmLs([]);
  for (const name of standInsOnly) assert.ok(all.has(name), `${name} is not installed`);
});

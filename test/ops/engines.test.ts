// `engines` says which Node versions the project supports, and it must be true: every locked
// package accepts each of them (so `npm install` prints no EBADENGINE warning there), and the
// Docker images run one of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');
const supported = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

interface LockedPackage {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  engines?: { node?: string } | string[];
}
const locked = (JSON.parse(read('package-lock.json')) as { packages: Record<string, LockedPackage> }).packages;

/**
 * No exceptions: @prisma/streams-local, which every release wants Node 22 and which the Prisma CLI
 * pulls in only for `prisma dev` (unused here), is replaced by a local stub through package.json
 * `overrides` (scripts/stubs/prisma-streams-local).
 */
test('every locked package accepts every Node version engines allows', () => {
  const refusing: string[] = [];
  for (const [path, pkg] of Object.entries(locked)) {
    const wanted = pkg.engines && !Array.isArray(pkg.engines) ? pkg.engines.node : undefined;
    if (!path || !wanted || !semver.validRange(wanted)) continue;
    if (semver.subset(supported, wanted)) continue;
    refusing.push(`${path}@${pkg.version ?? '?'} wants node ${wanted}`);
  }
  assert.deepEqual(refusing, [], `engines.node is "${supported}"`);
});

test('the Prisma CLI\'s `prisma dev` helper is the local stub, never the Node 22 package', () => {
  const stub = locked['node_modules/@prisma/streams-local'];
  assert.equal((stub as { link?: boolean; resolved?: string } | undefined)?.resolved, 'scripts/stubs/prisma-streams-local');
});

test('this machine and the Docker images run a supported Node', () => {
  assert.ok(semver.satisfies(process.versions.node, supported), `node ${process.versions.node} is outside "${supported}"`);
  const images = [...read('Dockerfile').matchAll(/^FROM node:(\d+(?:\.\d+){0,2})/gm)].map((m) => m[1] ?? '');
  assert.ok(images.length > 0);
  for (const tag of images) {
    // A major-only tag (node:20) is that line's newest release; the range must include it.
    assert.ok(semver.intersects(supported, `^${semver.coerce(tag)?.version ?? tag}`), `node:${tag} is outside "${supported}"`);
  }
});

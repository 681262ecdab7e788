// The Dockerfile and docker-compose.yml, checked as far as this machine allows: every command they
// run exists (npm scripts, compiled entry points), the runtime image runs as a non-root user, and
// the compose file has the services, health checks and Redis settings the service relies on. When a
// docker compose CLI is installed, `docker compose config` must accept the file too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');
const dockerfile = read('Dockerfile');
const composeText = read('docker-compose.yml');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

interface ComposeService {
  image?: string;
  build?: string | { context: string; target?: string };
  volumes?: string[];
  command?: string[] | string;
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  stop_grace_period?: string;
}
const compose = parseYaml(composeText, { merge: true }) as { services: Record<string, ComposeService> };

/** Dockerfile instructions with continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

/** The instructions of each build stage, in order. */
const stages = instructions.reduce<{ name: string; lines: string[] }[]>((all, line) => {
  const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
  if (from) all.push({ name: from[1] ?? String(all.length), lines: [] });
  else all.at(-1)?.lines.push(line);
  return all;
}, []);

const commandText = (command: ComposeService['command']) => (Array.isArray(command) ? command.join(' ') : (command ?? ''));
/**
 * `node dist/x.js` (the product) and `node packages/<name>/dist/x.js` (a workspace package) entry
 * points named anywhere in the image or the compose file (comments included: they are instructions
 * too), as the source file each is compiled from.
 */
const entryPoints = [...`${dockerfile}\n${Object.values(compose.services).map((s) => commandText(s.command)).join('\n')}`.matchAll(/(?<![\w/-])((?:packages\/[\w-]+\/)?)dist\/([\w/-]+)\.js\b/g)].map(
  (m) => `${m[1] ?? ''}src/${m[2] ?? ''}.ts`,
);

describe('Dockerfile', () => {
  test('is multi-stage and its runtime stage runs as a non-root user', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const runtime = stages.at(-1);
    const users = runtime?.lines.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]) ?? [];
    assert.ok(users.length > 0, 'the runtime stage sets USER');
    assert.ok(!['root', '0', '0:0'].includes(users.at(-1) ?? ''), `runs as ${users.at(-1)}`);
    // Only build output and production dependencies reach the runtime stage.
    assert.ok(runtime?.lines.some((l) => /COPY --from=\S+.*\/app\/dist/.test(l)));
    assert.ok(!runtime?.lines.some((l) => /npm (ci|install)\b/.test(l)));
  });

  test('the product image takes production dependencies only; the stand-ins are a target of their own', () => {
    const pruned = stages.find((stage) => stage.lines.some((l) => /npm prune --omit=dev\b/.test(l)));
    assert.ok(pruned, 'a stage prunes the development dependencies (the stand-ins\' among them)');
    const runtime = stages.at(-1);
    assert.ok(runtime?.lines.some((l) => new RegExp(`^COPY --from=${pruned.name}\\b.*node_modules`).test(l)), 'the runtime copies the pruned node_modules');
    assert.ok(!runtime?.lines.some((l) => /packages\//.test(l)), 'no workspace package in the product image');
    const standIns = stages.find((stage) => stage.name === 'stand-ins');
    assert.ok(standIns?.lines.some((l) => /packages\/stand-ins\/dist/.test(l)), 'the stand-ins target ships their compiled code');
  });

  test('every `npm run` it uses is a package.json script', () => {
    const used = [...dockerfile.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] ?? '');
    assert.ok(used.length > 0);
    for (const name of used) assert.ok(scripts[name], `npm run ${name} is not a script`);
  });

  test('every compiled entry point it (or compose) runs has its source file', () => {
    assert.ok(entryPoints.includes('src/server.ts') && entryPoints.includes('src/worker.ts'), entryPoints.join(', '));
    assert.ok(entryPoints.includes('packages/stand-ins/src/simulator/main.ts'), entryPoints.join(', '));
    for (const source of entryPoints) assert.ok(existsSync(`${root}${source}`), `an entry point has no source ${source}`);
  });

  test('what the build stage copies exists, and the build ships the dashboard files', () => {
    for (const line of stages[0]?.lines.filter((l) => /^COPY\s/i.test(l) && !/--from/.test(l)) ?? []) {
      const sources = line.split(/\s+/).slice(1, -1).filter((p) => !p.startsWith('--'));
      for (const source of sources) assert.ok(existsSync(`${root}${source}`), `COPY source ${source} is missing`);
    }
    assert.match(scripts.build ?? '', /src\/dashboard\/public.*dist\/dashboard\/public/);
  });
});

describe('docker-compose.yml', () => {
  const services = compose.services;

  test('has Postgres, Redis, migrations, the API, workers and the simulator', () => {
    for (const name of ['postgres', 'redis', 'migrate', 'api', 'worker', 'simulator']) assert.ok(services[name], `service ${name}`);
  });

  test('the simulator and the emulators build the stand-ins target, the product services the default one', () => {
    for (const name of ['simulator', 's3', 'gcs', 'sftp']) {
      const build = services[name]?.build;
      assert.equal(typeof build === 'object' ? build.target : undefined, 'stand-ins', name);
    }
    for (const name of ['migrate', 'api', 'worker']) assert.equal(services[name]?.build, '.', name);
  });

  test('every long-running service has a health check', () => {
    for (const name of ['postgres', 'redis', 'api', 'worker', 'simulator']) assert.ok(services[name]?.healthcheck?.test, `${name} health check`);
    // The API is healthy when it is ready (Postgres, Redis, migrations), workers by their own listener.
    assert.match(commandText(services.api?.healthcheck?.test), /\/readyz/);
    assert.match(commandText(services.worker?.healthcheck?.test), new RegExp(`:${services.worker?.environment?.WORKER_METRICS_PORT ?? 'none'}/healthz`));
  });

  test('the storage emulators are services of their own, each with its own volume and a health check', () => {
    for (const name of ['azurite', 's3', 'gcs', 'sftp']) {
      assert.ok(services[name]?.healthcheck?.test, `${name} health check`);
      assert.equal(services[name]?.volumes?.length, 1, `${name} keeps its data in one volume`);
    }
    assert.match(services.azurite?.image ?? '', /azure-storage\/azurite/);
    // The simulator lands exports in them over their protocols instead of embedding its own.
    const simulator = services.simulator?.environment ?? {};
    assert.equal(simulator.SIMULATOR_STORAGE_EMULATORS, 'false');
    for (const key of ['SIMULATOR_AZURITE_BLOB_ENDPOINT', 'SIMULATOR_S3_ENDPOINT', 'SIMULATOR_GCS_ENDPOINT', 'SIMULATOR_SFTP_HOST']) assert.ok(simulator[key], key);
  });

  test('no volume is shared: the API and workers mount none, every other volume has one owner', () => {
    assert.equal(services.worker?.volumes, undefined, 'the worker reaches storage only over the network');
    assert.equal(services.api?.volumes, undefined);
    const owners = new Map<string, string[]>();
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? volume;
        owners.set(source, [...(owners.get(source) ?? []), name]);
      }
    }
    for (const [volume, users] of owners) assert.equal(users.length, 1, `volume ${volume} is shared by ${users.join(', ')}`);
    for (const service of Object.values(services)) assert.equal(service.environment?.LANDING_ZONE_DIR, undefined, 'no landing folder anywhere');
  });

  test('Redis keeps every job: no eviction, append-only file on', () => {
    const command = commandText(services.redis?.command);
    assert.match(command, /--maxmemory-policy noeviction/);
    assert.match(command, /--appendonly yes/);
  });

  test('the API and workers start after migrations, and get time to shut down gracefully', () => {
    for (const name of ['api', 'worker']) {
      assert.equal(services[name]?.depends_on?.migrate?.condition, 'service_completed_successfully', name);
      assert.ok(services[name]?.stop_grace_period, `${name} stop_grace_period`);
    }
  });

  test('`docker compose config` accepts it (when a compose CLI is installed)', (t) => {
    const candidates: [string, string[]][] = [
      ['docker', ['compose']],
      ['docker-compose', []],
    ];
    const cli = candidates.find(([bin, args]) => spawnSync(bin, [...args, 'version'], { stdio: 'ignore' }).status === 0);
    if (!cli) {
      t.skip('no docker compose CLI on this machine');
      return;
    }
    const [bin, args] = cli;
    const result = spawnSync(bin, [...args, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      encoding: 'utf8',
      // The file demands a keyring; an obviously fake one is enough to render it.
      env: { ...process.env, SECRETS_KEYS: `fake:${Buffer.alloc(32).toString('base64')}` },
    });
    assert.equal(result.status, 0, result.stderr);
  });
});

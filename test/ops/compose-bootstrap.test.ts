// A deployment's first key, with the processes started as docker-compose.yml starts them (its
// commands, from dist/ mapped to src/, and its environment, with hosts pointed at this machine):
// migrate, then bootstrap, then the API and a worker with BOOTSTRAP_TENANT=false. The key the
// bootstrap command prints creates a real tenant through POST /admin/tenants; running bootstrap
// again (as every `docker compose up` does) creates nothing, and two runs at once make one key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { freePort } from '../support/chaos/free-port.js';
import { startSimulatorProcess, type SimulatorProcess } from '../support/chaos/simulator-process.js';
import { adminDatabaseUrl } from '../support/database.js';
import { runTsToEnd, startApiProcess, startWorkerProcess, type ServiceProcess } from '../support/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface ComposeService {
  command: string[];
  environment?: Record<string, string>;
}
const compose = parseYaml(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

/** `node dist/x.js args…` of a compose service, as the source entry and its arguments. */
function commandOf(service: string): { entry: string; args: string[] } {
  const [node, dist, ...args] = compose.services[service]?.command ?? [];
  assert.equal(node, 'node', `${service} runs node`);
  const entry = /^dist\/(.+)\.js$/.exec(dist ?? '')?.[1];
  assert.ok(entry, `${service} runs a dist/ entry point`);
  return { entry: `src/${entry}.ts`, args };
}


const runOnce = (entry: string, args: string[], env: Record<string, string>) => runTsToEnd(entry, args, { env: { PATH: process.env.PATH ?? '', ...env } });

describe('compose-style deployment: the first key comes from admin bootstrap', () => {
  const databaseName = `t_compose_${randomBytes(5).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(adminDatabaseUrl), { pathname: `/${databaseName}` }).toString();
  let simulator: SimulatorProcess;
  let api: { process: ServiceProcess; url: string };
  let worker: ServiceProcess;
  /** The environment compose gives a service, with its hosts replaced by this machine's. */
  let envOf: (service: string) => Record<string, string>;
  let bootstrap: { entry: string; args: string[] };
  let firstKey: string;

  before(async () => {
    simulator = await startSimulatorProcess({ notReadySeconds: 0, runSeconds: 0, seedUsers: 20 });
    const local: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SIMULATOR_URL: simulator.url,
      SECRETS_KEYS: `compose:${randomBytes(32).toString('base64')}`,
      QUEUE_PREFIX: `compose${randomBytes(4).toString('hex')}`,
      HOST: '127.0.0.1',
    };
    envOf = (service) => {
      const fromCompose = compose.services[service]?.environment ?? {};
      const env = Object.fromEntries(Object.entries(fromCompose).filter(([name]) => !(name in local) && name !== 'PORT' && name !== 'WORKER_METRICS_PORT'));
      return { ...env, ...local };
    };
    bootstrap = commandOf('bootstrap');
    assert.deepEqual(bootstrap.args, ['bootstrap']);
  });
  after(async () => {
    await worker?.stop();
    await api?.process.stop();
    await simulator?.close();
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).finally(() => admin.end());
  });

  test('migrate, bootstrap (the key alone on stdout), then the API and a worker start without a tenant of their own', async () => {
    const migrate = commandOf('migrate');
    const migrated = await runOnce(migrate.entry, migrate.args, envOf('migrate'));
    assert.equal(migrated.code, 0, migrated.stderr);

    const first = await runOnce(bootstrap.entry, bootstrap.args, envOf('bootstrap'));
    assert.equal(first.code, 0, first.stderr);
    firstKey = first.stdout.trim();
    assert.match(firstKey, /^aepj_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(first.stderr, /tenant operator .*a new admin key, shown once/);

    assert.equal(envOf('api').BOOTSTRAP_TENANT, 'false');
    api = await startApiProcess({ ...envOf('api'), PORT: String(await freePort()) });
    worker = await startWorkerProcess({ ...envOf('worker'), WORKER_METRICS_PORT: String(await freePort()) }, 'worker');
  });

  test('the key is an admin key: it creates a tenant whose own key reads its datasets', async () => {
    const headers = { authorization: `Bearer ${firstKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${api.url}/admin/tenants`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'marketing-ds',
        platform: {
          target: 'simulator',
          imsOrgId: 'LOCALDEV0000000000000000@AdobeOrg',
          sandbox: 'prod',
          clientId: 'local-simulator-client',
          clientSecret: 'local-simulator-secret',
          scopes: 'openid,AdobeID,read_organizations,additional_info.projectedProductContext,session',
        },
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { apiKey } = (await created.json()) as { apiKey: { key: string } };
    const datasets = await fetch(`${api.url}/datasets?limit=5`, { headers: { authorization: `Bearer ${apiKey.key}` } });
    assert.equal(datasets.status, 200, await datasets.clone().text());
    const listed = (await (await fetch(`${api.url}/admin/tenants`, { headers })).json()) as { items: { name: string }[] };
    assert.deepEqual(listed.items.map((t) => t.name).sort(), ['marketing-ds', 'operator']);
  });

  test('bootstrap again creates nothing and exits 0; the first key still works', async () => {
    const again = await runOnce(bootstrap.entry, bootstrap.args, envOf('bootstrap'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, new RegExp(`already has admin key ${firstKey.slice(0, 17)}_…; nothing created`));
    const tenant = await fetch(`${api.url}/tenant`, { headers: { authorization: `Bearer ${firstKey}` } });
    assert.equal(tenant.status, 200);
    assert.equal(((await tenant.json()) as { name: string }).name, 'operator');
  });

  test('three runs at once for a new operator tenant issue exactly one key', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => runOnce(bootstrap.entry, [...bootstrap.args, '--tenant', 'ops-two'], envOf('bootstrap'))));
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 0], runs.map((r) => r.stderr).join('\n'));
    assert.equal(runs.filter((r) => /^aepj_/.test(r.stdout)).length, 1, runs.map((r) => r.stdout + r.stderr).join('\n'));
  });
});

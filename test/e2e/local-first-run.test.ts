// A user's first run: `npm start` on a port that is not the default, then `npm run demo`,
// `npm run demo:pipeline` and the CLI with no flags and no AEPJ_* variables. They find the API by
// the URL npm start publishes under data/ and the local tenant's key next to it. Everything runs
// in a fresh directory, as in a fresh clone, with a private database and queue prefix.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { localApiKeyFile, localApiUrlFile } from '../../src/runtime/local-service.js';
import { DEFAULT_EMULATOR_ENTRA_PRINCIPAL } from '../../packages/stand-ins/src/simulator/config.js';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../packages/stand-ins/src/simulator/storage/azurite-server.js';
import { emulatorCertificateFile } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';
import { freePort } from '../support/chaos/free-port.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { adlsContainer, adlsTrust } from '../support/emulator-destinations.js';
import { runTsToEnd, spawnService, type ServiceProcess } from '../support/processes.js';
import { fastPipelineEnv } from '../pipelines/support.js';


/** A repository script run as `npm run …` runs it, in `cwd`, with only PATH in its environment. */
const runScript = (entry: string, args: string[], cwd: string) => runTsToEnd(entry, args, { cwd, env: { PATH: process.env.PATH ?? '' } });

describe('npm start on another port; demo, demo:pipeline and the CLI without flags', () => {
  let dir: string;
  let database: TestDatabase;
  let service: ServiceProcess;
  let apiUrl: string;
  let adlsPort: number;
  let entraPort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aepj-first-run-'));
    database = await createTestDatabase('firstrun');
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    service = spawnService(
      'npm start',
      'scripts/start-local.ts',
      {
        ...fastPipelineEnv,
        PORT: String(port),
        SIMULATOR_PORT: String(await freePort()),
        // The embedded storage emulators off their default ports too, like everything else here.
        SIMULATOR_AZURITE_PORT: String(await freePort()),
        SIMULATOR_S3_PORT: String(await freePort()),
        SIMULATOR_GCS_PORT: String(await freePort()),
        SIMULATOR_SFTP_PORT: String(await freePort()),
        SIMULATOR_ADLS_PORT: String((adlsPort = await freePort())),
        SIMULATOR_ENTRA_PORT: String((entraPort = await freePort())),
        SIMULATOR_QUERY_PORT: String(await freePort()),
        WORKER_METRICS_PORT: '0',
        DATABASE_URL: database.url,
        QUEUE_PREFIX: `firstrun${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'warn',
      },
      [],
      dir,
    );
    await service.waitForLine(/API key\s+aepj_/, 90_000);
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('npm start publishes its URL next to the local key', async () => {
    assert.equal((await readFile(join(dir, localApiUrlFile), 'utf8')).trim(), apiUrl);
    assert.match((await readFile(join(dir, localApiKeyFile), 'utf8')).trim(), /^aepj_[a-z0-9]{12}_/);
    assert.notEqual(new URL(apiUrl).port, '3000');
  });

  let exportId: string;
  test('npm run demo: an export to the landing zone, to the end', async () => {
    const run = await runScript('scripts/demo.ts', [], dir);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${service.output()}`);
    assert.match(run.stdout, /succeeded \/ done/);
    exportId = /export {7}([0-9a-f-]{36})/.exec(run.stdout)?.[1] ?? assert.fail(`no export id in ${run.stdout}`);
    // The landed files listed, and one downloaded through its signed URL.
    assert.match(run.stdout, /GET -> 200, \d+ bytes \(the whole file\)/);
  });

  test('the CLI lists and shows that export', async () => {
    const list = await runScript('src/cli/main.ts', ['exports', 'list'], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${exportId}\\s+succeeded`));
    const get = await runScript('src/cli/main.ts', ['exports', 'get', exportId, '--json'], dir);
    assert.equal(get.code, 0, get.stderr);
    assert.equal((JSON.parse(get.stdout) as { status: string }).status, 'succeeded');
  });

  test('npm run demo:pipeline: the CMLE workflow, to the audience', async () => {
    const run = await runScript('scripts/demo-pipeline.ts', [], dir);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${service.output()}`);
    assert.match(run.stdout, /pipeline succeeded/);
    assert.match(run.stdout, /held-out AUC 0\.\d{3}/);
    assert.match(run.stdout, /audience {2}\d+ profiles/);
  });

  test('an ADLS Gen2 export lands through the Entra ID sign-in npm start wires up, and its signed URL downloads', async () => {
    const key = (await readFile(join(dir, localApiKeyFile), 'utf8')).trim();
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
      return (await response.json()) as T;
    };
    // The customer's file system, created as the customer would: the service principal, signed in.
    const endpoint = `https://127.0.0.1:${adlsPort}`;
    const adls = {
      endpoint,
      blobEndpoint: `${endpoint}/${AZURITE_ACCOUNT_NAME}`,
      accountName: AZURITE_ACCOUNT_NAME,
      accountKey: AZURITE_ACCOUNT_KEY,
      authorityHost: `https://127.0.0.1:${entraPort}`,
      caCert: await readFile(join(dir, emulatorCertificateFile('data/emulators')), 'utf8'),
      caCertFile: join(dir, emulatorCertificateFile('data/emulators')),
    };
    const principal = DEFAULT_EMULATOR_ENTRA_PRINCIPAL;
    await adlsContainer(adls, principal, 'first-run').createIfNotExists();

    const destination = await api<{ id: string }>('POST', '/destinations', {
      type: 'adls-gen2',
      name: 'first-run adls',
      params: { url: `https://${AZURITE_ACCOUNT_NAME}.dfs.core.windows.net/first-run` },
      credentials: { servicePrincipalId: principal.clientId, servicePrincipalKey: principal.clientSecret, tenant: principal.tenant },
    });
    const datasets = await api<{ items: { id: string; name: string }[] }>('GET', '/datasets?limit=100');
    const dataset = datasets.items.find((d) => d.name === 'CMLE Synthetic Experience Events') ?? assert.fail('no events dataset');
    const created = await api<{ id: string }>('POST', '/exports', { datasetId: dataset.id, destinationId: destination.id, path: 'first-run', format: 'parquet', compression: 'gzip' });
    type ExportState = { status: string; runs: { id: string; landedFiles: { uri: string }[] }[] };
    let done: ExportState | undefined;
    for (const until = Date.now() + 120_000; Date.now() < until; await sleep(250)) {
      done = await api<ExportState>('GET', `/exports/${created.id}`);
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(done.status)) break;
    }
    assert.ok(done?.status === 'succeeded', JSON.stringify(done));
    const run = done.runs[0] ?? assert.fail('no run');
    assert.ok(run.landedFiles.length > 0 && run.landedFiles.every((f) => f.uri.startsWith(`${adls.blobEndpoint}/first-run/first-run/`)), JSON.stringify(run.landedFiles));
    const files = await api<{ files: { download: { kind: string; url: string } }[] }>('GET', `/exports/${created.id}/runs/${run.id}/files`);
    const signed = files.files[0]?.download ?? assert.fail('no file');
    assert.equal(signed.kind, 'signed');
    const dispatcher = new Agent({ connect: adlsTrust(adls) });
    try {
      const response = await undiciFetch(signed.url, { dispatcher });
      assert.equal(response.status, 200);
      assert.ok((await response.arrayBuffer()).byteLength > 0);
    } finally {
      await dispatcher.close();
    }
  });

  test('flags and the environment still win over what npm start wrote', async () => {
    const wrongUrl = await runScript('src/cli/main.ts', ['exports', 'list', '--url', 'http://127.0.0.1:9'], dir);
    assert.equal(wrongUrl.code, 3);
    const wrongKey = await runScript('src/cli/main.ts', ['exports', 'list', '--key', `aepj_${'0'.repeat(12)}_${'A'.repeat(43)}`], dir);
    assert.equal(wrongKey.code, 3);
    assert.match(wrongKey.stderr, /401|API key/i);
  });

  test('a clean stop withdraws the URL; the key stays for the next start', async () => {
    await service.stop();
    await assert.rejects(access(join(dir, localApiUrlFile)));
    await access(join(dir, localApiKeyFile));
  });
});

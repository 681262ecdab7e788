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
import { localApiKeyFile, localApiUrlFile } from '../../src/runtime/local-service.js';
import { freePort } from '../support/chaos/free-port.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runTsToEnd, spawnService, type ServiceProcess } from '../support/processes.js';
import { fastPipelineEnv } from '../pipelines/support.js';


/** A repository script run as `npm run …` runs it, in `cwd`, with only PATH in its environment. */
const runScript = (entry: string, args: string[], cwd: string) => runTsToEnd(entry, args, { cwd, env: { PATH: process.env.PATH ?? '' } });

describe('npm start on another port; demo, demo:pipeline and the CLI without flags', () => {
  let dir: string;
  let database: TestDatabase;
  let service: ServiceProcess;
  let apiUrl: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aepj-first-run-'));
    database = await createTestDatabase('firstrun');
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    service = spawnService(
      'npm start',
      'src/main.ts',
      {
        ...fastPipelineEnv,
        PORT: String(port),
        SIMULATOR_PORT: String(await freePort()),
        // The embedded storage emulators off their default ports too, like everything else here.
        SIMULATOR_AZURITE_PORT: String(await freePort()),
        SIMULATOR_S3_PORT: String(await freePort()),
        SIMULATOR_GCS_PORT: String(await freePort()),
        SIMULATOR_SFTP_PORT: String(await freePort()),
        SIMULATOR_ADLS_PORT: String(await freePort()),
        SIMULATOR_ENTRA_PORT: String(await freePort()),
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

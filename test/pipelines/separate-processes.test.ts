// The full CMLE pipeline with the service, the simulator and the ML platform sharing no directory:
// the simulator (with its ML platform under /ml and its storage emulators) runs as a process of
// its own from one empty working directory, the API and the worker from two others. The service's
// configuration has no landing folder; it reaches exported files, the ML job and the scores only
// through the Platform's DLZ credentials, the storage adapters and signed URLs. The pipeline
// succeeds, and the API's and the worker's working directories are still empty afterwards.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { cmlePipelineSteps } from '../../src/pipelines/cmle-example.js';
import type { PipelineView } from '../../src/pipelines/pipeline-schemas.js';
import { loadSimulatorConfig } from '../../packages/stand-ins/src/simulator/config.js';
import { freePort } from '../support/chaos/free-port.js';
import { adminDatabaseUrl, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createProcessTenant } from '../support/process-tenant.js';
import { spawnService, startApiProcess, startWorkerProcess, type ServiceProcess } from '../support/processes.js';
import { fastPipelineEnv } from './support.js';

let database: TestDatabase;
let directories: { simulator: string; api: string; worker: string };
let simulator: ServiceProcess;
let api: { process: ServiceProcess; url: string };
let worker: ServiceProcess;
let key: string;
let queuePrefix: string;
let azuritePort: number;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

before(async () => {
  directories = {
    simulator: await mkdtemp(join(tmpdir(), 'sep-simulator-')),
    api: await mkdtemp(join(tmpdir(), 'sep-api-')),
    worker: await mkdtemp(join(tmpdir(), 'sep-worker-')),
  };
  database = await createTestDatabase('sepproc');
  const [simulatorPort, s3Port, gcsPort, sftpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  azuritePort = await freePort();
  const simulatorDb = new URL(adminDatabaseUrl);
  simulatorDb.pathname = new URL(database.url).pathname;
  // Its emulators keep their data under its own working directory (the default ./data/emulators).
  simulator = spawnService(
    'simulator',
    'packages/stand-ins/src/simulator/main.ts',
    {
      SIMULATOR_PORT: String(simulatorPort),
      SIMULATOR_HOST: '127.0.0.1',
      SIMULATOR_DATABASE_URL: simulatorDb.toString(),
      SIMULATOR_DB_SCHEMA: `sim_${randomBytes(4).toString('hex')}`,
      SIMULATOR_NOT_READY_SECONDS: '1',
      SIMULATOR_RUN_SECONDS: '1',
      SIMULATOR_SEED_USERS: '400',
      SIMULATOR_AZURITE_PORT: String(azuritePort),
      SIMULATOR_S3_PORT: String(s3Port),
      SIMULATOR_GCS_PORT: String(gcsPort),
      SIMULATOR_SFTP_PORT: String(sftpPort),
      // No ADLS Gen2 destination here: its emulators take any free port.
      SIMULATOR_ADLS_PORT: '0',
      SIMULATOR_ENTRA_PORT: '0',
      SIMULATOR_QUERY_PORT: '0',
    },
    [],
    directories.simulator,
  );
  await simulator.waitForLine(/Platform simulator listening/, 60_000);
  const client = loadSimulatorConfig({}).clients[0];
  assert.ok(client);
  const tenant = await createProcessTenant(database.db, { orgId: client.orgId, sandbox: 'prod', clientId: client.clientId, clientSecret: client.clientSecret }, 'separate-processes');
  key = tenant.key;
  queuePrefix = `sep${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> = {
    ...fastPipelineEnv,
    DATABASE_URL: database.url,
    QUEUE_PREFIX: queuePrefix,
    SIMULATOR_URL: `http://127.0.0.1:${simulatorPort}`,
    SECRETS_KEYS: tenant.secretsKeys,
    S3_ENDPOINT_URL: `http://127.0.0.1:${s3Port}`,
    GCS_ENDPOINT_URL: `http://127.0.0.1:${gcsPort}`,
    ALLOW_PRIVATE_STORAGE: 'true',
    WORKER_METRICS_PORT: '0',
  };
  api = await startApiProcess(env, 'api', [], { cwd: directories.api });
  worker = await startWorkerProcess({ ...env, PUBLIC_URL: api.url }, 'worker', directories.worker);
});

after(async () => {
  await worker?.stop();
  await api?.process.stop();
  await simulator?.stop();
  await database?.drop();
  for (const directory of Object.values(directories ?? {})) await rm(directory, { recursive: true, force: true });
  if (queuePrefix) {
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
});

test('the CMLE pipeline succeeds across three processes that share no directory', async (t) => {
  const destination = await call<{ id: string }>('POST', '/destinations', { type: 'dlz', name: 'separate processes', params: {} });
  const accepted = await call<PipelineView>('POST', '/pipelines', {
    name: 'cmle, separate processes',
    steps: cmlePipelineSteps({ exportDestinationId: destination.id, activationDestinationId: destination.id, exportPath: 'sep/egress', activationPath: 'sep/audiences' }),
  });
  let pipeline = accepted;
  const until = Date.now() + 180_000;
  while (!['succeeded', 'failed', 'cancelled'].includes(pipeline.status)) {
    assert.ok(Date.now() < until, `pipeline still ${pipeline.status}; worker output:\n${worker.output().slice(-3000)}`);
    await sleep(250);
    pipeline = await call<PipelineView>('GET', `/pipelines/${accepted.id}`);
  }
  assert.equal(pipeline.status, 'succeeded', JSON.stringify(pipeline.error));

  const byName = new Map(pipeline.steps.map((s) => [s.name, s]));
  const landedUri = String(byName.get('training-export')?.outputs.landedUri);
  const scoresUri = String(byName.get('train-and-score')?.outputs.scoresUri);
  // Everything is named by URIs at the Azure-compatible store, none by a local path.
  const azure = `http://127.0.0.1:${azuritePort}/devstoreaccount1/`;
  assert.ok(landedUri.startsWith(azure) && landedUri.includes('/sep/egress/'), landedUri);
  assert.ok(scoresUri.startsWith(azure) && scoresUri.endsWith('/scores.json'), scoresUri);
  assert.equal(byName.get('scores')?.outputs.records, byName.get('train-and-score')?.outputs.scoredRows);
  assert.ok(Number(byName.get('propensity-band')?.outputs.audienceSize) > 0);

  // The service wrote nothing next to itself; the simulator's emulators kept their data in its own folder.
  assert.deepEqual(await readdir(directories.api), []);
  assert.deepEqual(await readdir(directories.worker), []);
  assert.ok((await readdir(directories.simulator)).includes('data'));
  t.diagnostic(`training ${landedUri}\nscores ${scoresUri}`);
});

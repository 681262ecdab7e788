// The API as tests use it: built (not listening) against a fresh migrated database, a real Redis
// under a random queue prefix and a started Platform simulator, with two tenants bound to the
// simulator (A in its default sandbox, B in another) and API keys for each. Requests go through
// app.inject. The worker engineer's tests reuse this.
import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp, type App } from '../../src/app.js';
import { destinationExamples } from '../../src/http/api-examples.js';
import { loadConfig, type ServiceConfig } from '../../src/config.js';
import { createSecretBox, parseKeyring, type SecretBox } from '../../src/crypto/secret-box.js';
import { createProducer, producerConnection, type JobProducer } from '../../src/jobs/queue.js';
import { loggerOptions } from '../../src/logger.js';
import { issueApiKey, type ApiKeyRole } from '../../src/tenants/api-keys.js';
import { createTenant, storeApiKey } from '../../src/tenants/tenant-store.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { adlsEnvOf } from './emulator-destinations.js';
import { startSimulator, type StartSimulatorOptions, type TestSimulator } from './simulator.js';

export interface TestTenant {
  id: string;
  name: string;
  sandbox: string;
  /** A tenant-role key. */
  key: string;
}

export interface StartTestApiOptions {
  /** Extra service environment (as strings, like the real environment). */
  env?: Record<string, string>;
  simulator?: StartSimulatorOptions;
  /** Point the producer somewhere else, e.g. a closed port to show Redis being down. */
  producerRedisUrl?: string;
  /** Tenant A may export PSPD/RHD datasets. */
  allowSensitiveLabelsA?: boolean;
  /** Capture every log line (level trace) here instead of discarding logs. */
  logStream?: NodeJS.WritableStream;
}

export interface HttpCall {
  method: InjectOptions['method'];
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestApi {
  app: App;
  config: ServiceConfig;
  database: TestDatabase;
  simulator: TestSimulator;
  secrets: SecretBox;
  producer: JobProducer;
  /** Redis connection for inspecting the queue (not the producer's). */
  redis: Redis;
  tenantA: TestTenant;
  tenantB: TestTenant;
  keys: { adminA: string; tenantA: string; tenantB: string };
  /** One request with an API key (null: no Authorization header). */
  call(key: string | null, call: HttpCall): Promise<LightMyRequestResponse>;
  get(key: string | null, url: string): Promise<LightMyRequestResponse>;
  post(key: string | null, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(key: string | null, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(key: string | null, url: string): Promise<LightMyRequestResponse>;
  /** Creates a tenant bound to the simulator and returns it with a fresh key of that role. */
  addTenant(name: string, opts?: { sandbox?: string; role?: ApiKeyRole; allowSensitiveLabels?: boolean }): Promise<TestTenant>;
  close(): Promise<void>;
}

/** A keyring for tests only: random per run, never written anywhere. */
function testSecretBox(): SecretBox {
  return createSecretBox(parseKeyring(`test:${randomBytes(32).toString('base64')}`));
}

export async function startTestApi(options: StartTestApiOptions = {}): Promise<TestApi> {
  const database = await createTestDatabase('api');
  const simulator = await startSimulator(options.simulator);
  const queuePrefix = `test${randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    QUEUE_PREFIX: queuePrefix,
    SIMULATOR_URL: simulator.url,
    // Local mode: the stores are the simulator's emulators, on loopback.
    S3_ENDPOINT_URL: simulator.storage.s3.endpoint,
    GCS_ENDPOINT_URL: simulator.storage.gcs.endpoint,
    ...adlsEnvOf(simulator.storage),
    ALLOW_PRIVATE_STORAGE: 'true',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: 'http://api.test',
    ...options.env,
  });
  // The service's own logger options (redaction included), as production builds them.
  const logger = options.logStream
    ? pino(loggerOptions({ level: 'trace', pretty: false }), options.logStream)
    : pino(loggerOptions({ level: config.log.level, pretty: false }));
  const secrets = testSecretBox();
  const producerRedis = producerConnection(options.producerRedisUrl ?? config.redis.url);
  producerRedis.on('error', () => undefined); // a down Redis is a case under test, not a crash
  const producer = createProducer(producerRedis, config.redis.queuePrefix);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
  const app = await buildApp({ config, db: database.db, redis: producerRedis, producer, secrets, logger });
  await app.ready();

  const addTenant: TestApi['addTenant'] = async (name, opts = {}) => {
    const sandbox = opts.sandbox ?? simulator.sandbox;
    const tenant = await createTenant(database.db, {
      name,
      platformTarget: 'simulator',
      imsOrgId: simulator.orgId,
      sandboxName: sandbox,
      clientId: simulator.clientId,
      clientSecretSealed: secrets.seal(simulator.clientSecret),
      scopes: 'openid,AdobeID',
      allowSensitiveLabels: opts.allowSensitiveLabels ?? false,
    });
    const issued = issueApiKey();
    await storeApiKey(database.db, tenant.id, issued, opts.role ?? 'tenant', `${name} key`);
    return { id: tenant.id, name, sandbox, key: issued.key };
  };

  const tenantA = await addTenant('tenant-a', { allowSensitiveLabels: options.allowSensitiveLabelsA ?? false });
  const tenantB = await addTenant('tenant-b', { sandbox: `${simulator.sandbox}-b` });
  const adminIssued = issueApiKey();
  await storeApiKey(database.db, tenantA.id, adminIssued, 'admin', 'tenant-a admin');

  const call: TestApi['call'] = (key, c) =>
    app.inject({
      method: c.method,
      url: c.url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...c.headers },
      ...(c.body === undefined ? {} : { payload: c.body as InjectOptions['payload'] }),
    });

  return {
    app,
    config,
    database,
    simulator,
    secrets,
    producer,
    redis,
    tenantA,
    tenantB,
    keys: { adminA: adminIssued.key, tenantA: tenantA.key, tenantB: tenantB.key },
    call,
    get: (key, url) => call(key, { method: 'GET', url }),
    post: (key, url, body) => call(key, { method: 'POST', url, body }),
    patch: (key, url, body) => call(key, { method: 'PATCH', url, body }),
    delete: (key, url) => call(key, { method: 'DELETE', url }),
    addTenant,
    async close() {
      await app.close();
      await producer.close();
      producerRedis.disconnect();
      await deleteKeys(redis, `${queuePrefix}:*`).catch(() => undefined);
      redis.disconnect();
      await simulator.close();
      await database.drop();
    },
  };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** The parsed JSON body of a response, typed by the caller. */
export function bodyOf<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json<T>();
}

/** Obviously fake but valid credentials, so every destination type can be created in tests (the same bodies Swagger UI shows). */
export const fakeDestinationBodies = destinationExamples;

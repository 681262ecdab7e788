// One chaos scenario's world, every part a real process or server of its own: a private Redis,
// the service's database (a fresh one on the shared server, or on a private cluster that the
// scenario may restart), the Platform simulator as a child process, one tenant with an API key,
// and the API and worker processes (src/server.ts, src/worker.ts) started and stopped by the
// test. close() kills whatever is still running and drops everything, also after a failure.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import pg from 'pg';
import { createSecretBox, parseKeyring } from '../../../src/crypto/secret-box.js';
import { createDb } from '../../../src/db/client.js';
import { migrate } from '../../../src/db/migrate.js';
import { activeExportStatuses } from '../../../src/exports/export-status.js';
import { queueNames } from '../../../src/jobs/catalog.js';
import { DEFAULT_SIMULATOR_CLIENT_ID, DEFAULT_SIMULATOR_CLIENT_SECRET, DEFAULT_SIMULATOR_ORG_ID } from '../../../packages/stand-ins/src/simulator/config.js';
import { issueApiKey } from '../../../src/tenants/api-keys.js';
import { createTenant, storeApiKey } from '../../../src/tenants/tenant-store.js';
import { adminDatabaseUrl } from '../database.js';
import { startApiProcess, startWorkerProcess, type ServiceProcess } from '../processes.js';
import { platformView, type PlatformView } from './platform-view.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { startSimulatorProcess, type SimulatorProcess, type SimulatorProcessOptions } from './simulator-process.js';

export const SANDBOX = 'prod';

/** Short waits so a scenario takes seconds; a dead worker's job is picked up within ~3 s. */
export const chaosServiceEnv: Record<string, string> = {
  LOG_LEVEL: 'info',
  // The simulator's storage emulators listen on loopback.
  ALLOW_PRIVATE_STORAGE: 'true',
  RUN_POLL_INITIAL_MS: '150',
  RUN_POLL_MAX_MS: '600',
  NOT_READY_RETRY_INITIAL_MS: '200',
  NOT_READY_RETRY_MAX_MS: '800',
  SWEEPER_INTERVAL_MS: '250',
  SWEEPER_GRACE_MS: '1000',
  // At most 8 Platform calls at once per worker: several workers share one simulator in some
  // scenarios, and a moderate load keeps a scenario's timing about the faults, not the CPU.
  WORKER_CONCURRENCY: '8',
  DATABASE_POOL_SIZE: '8',
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  PLATFORM_TIMEOUT_MS: '5000',
  // Several workers run at once; none of them needs its metrics port here.
  WORKER_METRICS_PORT: '0',
  // The scenarios post far more than a person would; the per-key limit is not under test.
  RATE_LIMIT_PER_MINUTE: '1000000',
};

export interface ChaosWorldOptions {
  /** Short name used in database and queue names. */
  label: string;
  simulator: SimulatorProcessOptions;
  /** Put the service's database on a private cluster the scenario can restart. */
  privatePostgres?: boolean;
  /** Service environment on top of chaosServiceEnv. */
  env?: Record<string, string>;
  /** The tenant may export PSPD/RHD-labelled datasets (more distinct datasets to spread over). */
  allowSensitiveLabels?: boolean;
}

export interface ApiProcess {
  process: ServiceProcess;
  url: string;
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

export interface ChaosWorld {
  readonly redis: PrivateRedis;
  readonly postgres: PrivatePostgres | undefined;
  readonly sim: SimulatorProcess;
  readonly platform: PlatformView;
  /** The service's database, for the invariant checks (reconnects after a restart). */
  readonly pool: pg.Pool;
  readonly env: Record<string, string>;
  readonly apiKey: string;
  /** The API process requests go to (the last one started). */
  readonly api: ApiProcess;
  startApi(name?: string): Promise<ApiProcess>;
  startWorker(extraEnv?: Record<string, string>, name?: string): Promise<ServiceProcess>;
  request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  /** POST /destinations; returns the id. */
  createDestination(body: unknown): Promise<string>;
  /** Exportable dataset ids by name, from GET /datasets. */
  datasets(): Promise<Map<string, string>>;
  /** Export statuses by id, from our database. */
  statuses(): Promise<Map<string, string>>;
  /** Resolves once every export row is terminal; fails with the non-terminal ones after timeoutMs. */
  waitUntilAllTerminal(timeoutMs: number): Promise<void>;
  /** Jobs still waiting, active or delayed in the queue. */
  pendingJobs(): Promise<number>;
  close(): Promise<void>;
}

export async function startChaosWorld(options: ChaosWorldOptions): Promise<ChaosWorld> {
  const cleanups: (() => Promise<void>)[] = [];
  const processes: ServiceProcess[] = [];
  const close = async (): Promise<void> => {
    // SIGKILL whatever still runs: a failed scenario must leave no process behind.
    await Promise.all(processes.map((p) => p.kill9()));
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('chaos cleanup failed:', error));
  };

  /** The last warnings and errors of every process, for a failure message. */
  const diagnostics = (): string =>
    processes
      .map((p) => {
        const lines = p.output().split('\n').filter((l) => /"level":(40|50|60)/.test(l));
        return `--- ${p.name}: ${lines.length} warnings/errors, last ones:\n${lines.slice(-8).map((l) => l.slice(0, 600)).join('\n')}`;
      })
      .join('\n');

  try {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());

    let postgres: PrivatePostgres | undefined;
    const database = `t_chaos_${options.label.replace(/[^a-z0-9]/g, '')}_${randomBytes(4).toString('hex')}`;
    let databaseUrl: string;
    if (options.privatePostgres) {
      const cluster = await startPrivatePostgres();
      postgres = cluster;
      cleanups.push(() => cluster.stop());
      databaseUrl = cluster.urlFor(database);
    } else {
      const url = new URL(adminDatabaseUrl);
      url.pathname = `/${database}`;
      databaseUrl = url.toString();
      cleanups.push(async () => {
        const admin = new pg.Client({ connectionString: adminDatabaseUrl });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      });
    }
    await migrate(databaseUrl);

    const sim = await startSimulatorProcess(options.simulator);
    cleanups.push(() => sim.close());
    processes.push(sim.process);

    // The tenant and its key, written the way the admin API would.
    const secretsKeys = `chaos:${randomBytes(32).toString('base64')}`;
    const secrets = createSecretBox(parseKeyring(secretsKeys));
    const db = createDb(databaseUrl, 1);
    let apiKey: string;
    try {
      const tenant = await createTenant(db, {
        name: `chaos-${options.label}`,
        platformTarget: 'simulator',
        imsOrgId: DEFAULT_SIMULATOR_ORG_ID,
        sandboxName: SANDBOX,
        clientId: DEFAULT_SIMULATOR_CLIENT_ID,
        clientSecretSealed: secrets.seal(DEFAULT_SIMULATOR_CLIENT_SECRET),
        scopes: 'openid,AdobeID',
        allowSensitiveLabels: options.allowSensitiveLabels ?? false,
      });
      const issued = issueApiKey();
      await storeApiKey(db, tenant.id, issued, 'tenant', 'chaos key');
      apiKey = issued.key;
    } finally {
      await db.$disconnect();
    }

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => undefined); // a restart of a private cluster is a case under test
    cleanups.push(() => pool.end());

    const env: Record<string, string> = {
      ...chaosServiceEnv,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `chaos${randomBytes(4).toString('hex')}`,
      SIMULATOR_URL: sim.url,
      // Local mode: the customer's S3 and GCS are the simulator's emulators (as in test/support/api.ts).
      S3_ENDPOINT_URL: sim.storage.s3.endpoint,
      GCS_ENDPOINT_URL: sim.storage.gcs.endpoint,
      SECRETS_KEYS: secretsKeys,
      EMBEDDED_SIMULATOR: 'false',
      BOOTSTRAP_TENANT: 'false',
      ...options.env,
    };

    const queue = new Queue(queueNames.exports, { connection: { url: redis.url, maxRetriesPerRequest: 1 }, prefix: env.QUEUE_PREFIX });
    queue.on('error', () => undefined);
    cleanups.push(() => queue.close());

    let current: ApiProcess | undefined;
    const world: ChaosWorld = {
      redis,
      postgres,
      sim,
      platform: platformView(sim.url, SANDBOX),
      pool,
      env,
      apiKey,
      get api() {
        if (current === undefined) throw new Error('no API process started');
        return current;
      },
      async startApi(name = 'api') {
        // A generous readiness wait: a chaos scenario starts processes on a machine it keeps busy.
        const started = await startApiProcess(env, name, [], { readyTimeoutMs: 90_000 });
        processes.push(started.process);
        current = started;
        return started;
      },
      async startWorker(extraEnv = {}, name = 'worker') {
        const worker = await startWorkerProcess({ ...env, ...extraEnv }, name);
        processes.push(worker);
        return worker;
      },
      async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
        const response = await fetch(`${world.api.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON (a proxy's or a closing server's page): keep the text
        }
        return { status: response.status, body: parsed as T };
      },
      async createDestination(body) {
        const answer = await world.request<{ id: string }>('POST', '/destinations', body);
        if (answer.status !== 201) throw new Error(`POST /destinations: ${answer.status} ${JSON.stringify(answer.body)}`);
        return answer.body.id;
      },
      async datasets() {
        const answer = await world.request<{ items: { id: string; name: string; governance: { exportable: boolean } }[] }>('GET', '/datasets?limit=100');
        if (answer.status !== 200) throw new Error(`GET /datasets: ${answer.status} ${JSON.stringify(answer.body)}`);
        return new Map(answer.body.items.filter((d) => d.governance.exportable).map((d) => [d.name, d.id]));
      },
      async statuses() {
        const { rows } = await pool.query<{ id: string; status: string }>('SELECT id::text AS id, status FROM exports');
        return new Map(rows.map((r) => [r.id, r.status]));
      },
      async waitUntilAllTerminal(timeoutMs) {
        const until = Date.now() + timeoutMs;
        const active = [...activeExportStatuses] as string[];
        for (;;) {
          // A read during a restart of a private cluster fails; the next one reconnects.
          const statuses = await world.statuses().catch(() => undefined);
          const open = statuses === undefined ? [['?', 'database unavailable']] : [...statuses.entries()].filter(([, status]) => active.includes(status));
          if (open.length === 0) return;
          if (Date.now() > until) {
            throw new Error(`${open.length} exports still active after ${timeoutMs} ms, e.g. ${JSON.stringify(open.slice(0, 5))}\n${diagnostics()}`);
          }
          await sleep(250);
        }
      },
      async pendingJobs() {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
        return Object.values(counts).reduce((sum, n) => sum + n, 0);
      },
      close,
    };
    return world;
  } catch (error) {
    await close();
    throw error;
  }
}


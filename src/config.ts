// Service configuration: parsed once from the environment with zod, then passed around as a value.
// Nothing else reads process.env (the simulator, in packages/stand-ins, has its own).
import { z } from 'zod';
import { DEFAULT_GCS_ENDPOINT, type StorageEndpoints } from './storage/storage-endpoints.js';

const bool = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });
const positiveInt = z.coerce.number().int().positive();

export const serviceEnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Base URL callers see (Location headers, docs); defaults to http://HOST:PORT. */
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/aep_jobs'),
  /** As large as WORKER_CONCURRENCY: a job holds a connection for part of its slot, and a smaller pool queues slots behind it. */
  DATABASE_POOL_SIZE: positiveInt.default(20),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** BullMQ key prefix; use a hash tag like {aepjobs} on Redis Cluster. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_{}.-]+$/).default('aepjobs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),
  /** Run the Platform simulator inside `npm start` (the local default). */
  EMBEDDED_SIMULATOR: bool.default(true),
  /** Where tenants with target "simulator" reach it; defaults to the embedded one. */
  SIMULATOR_URL: z.url().optional(),
  /** Create the local tenant bound to the simulator at start, with this key if given. */
  BOOTSTRAP_TENANT: bool.default(true),
  BOOTSTRAP_API_KEY: z.string().min(20).optional(),
  /** Comma-separated `keyId:base64(32 bytes)`; the first seals, all open. */
  SECRETS_KEYS: z.string().optional(),
  /** Local fallback when SECRETS_KEYS is unset: a key file created on first start. */
  SECRETS_KEY_FILE: z.string().default('./data/secrets.key'),
  WORKER_CONCURRENCY: positiveInt.default(20),
  /** First wait before polling a run, then doubled up to the max (plus jitter). */
  RUN_POLL_INITIAL_MS: positiveInt.default(1000),
  RUN_POLL_MAX_MS: positiveInt.default(60_000),
  /** First wait after the Platform's "not ready, wait 10 minutes" answer, doubled up to the max. */
  NOT_READY_RETRY_INITIAL_MS: positiveInt.default(1000),
  NOT_READY_RETRY_MAX_MS: positiveInt.default(120_000),
  /**
   * A recurring export's idle look for new scheduled runs: first wait, doubled up to the max, and
   * never past the schedule's next instant (exports/worker/steps/watch-runs.ts says why).
   */
  RECURRING_POLL_INITIAL_MS: positiveInt.default(30_000),
  RECURRING_POLL_MAX_MS: positiveInt.default(15 * 60_000),
  /** How long a run may take before the export ends `timed_out`. */
  RUN_DEADLINE_SECONDS: positiveInt.default(6 * 3600),
  /** How often the sweeper re-enqueues overdue exports (lost from Redis or never enqueued). */
  SWEEPER_INTERVAL_MS: positiveInt.default(5000),
  /** An export this late past its next check is considered lost from the queue. */
  SWEEPER_GRACE_MS: positiveInt.default(15_000),
  /** BullMQ job lock: a worker that dies mid-job has its job picked up again after about this long. */
  WORKER_LOCK_DURATION_MS: positiveInt.default(30_000),
  /**
   * How often BullMQ looks for jobs whose lock lapsed (stalled by a dead worker). Well below the
   * lock duration: a dead worker's job is taken over about one lock duration after its last renewal
   * plus up to two of these checks (BENCHMARKS.md, recovery).
   */
  WORKER_STALLED_INTERVAL_MS: positiveInt.default(5_000),
  /**
   * TEST ONLY (chaos tests): `<step>:<before|after>` makes the worker SIGKILL itself at that hook
   * point around a Platform call, e.g. `flow:after` = the flow was created, its id not yet saved.
   */
  CRASH_AT: z.string().regex(/^[a-z_]+:(before|after)$/).optional(),
  PLATFORM_TIMEOUT_MS: positiveInt.default(30_000),
  /**
   * TLS to Query Service's PostgreSQL interface: `require` (encrypted, certificate not verified,
   * libpq's sslmode=require that Adobe's client guides use) or `verify-full` (also verified
   * against the system's CAs, for a host with a public certificate).
   */
  QUERY_SERVICE_SSLMODE: z.enum(['require', 'verify-full']).default('require'),
  /** How long POST /queries/preview waits for Query Service's answer (connect and query). */
  QUERY_PREVIEW_TIMEOUT_MS: positiveInt.default(60_000),
  /** Group commit of POST /exports: the most exports written by one statement. */
  ACCEPT_BATCH_MAX: positiveInt.default(256),
  /** Group commit: the longest an accept waits for a write in flight before its own write starts. */
  ACCEPT_BATCH_MAX_WAIT_MS: positiveInt.default(10),
  /**
   * How long the accept path trusts a dataset's Platform facts (that it exists, its usage labels)
   * before reading them again; the worker checks the labels again before every run anyway.
   */
  DATASET_FACTS_TTL_MS: positiveInt.default(30_000),
  /**
   * TEST ONLY (chaos tests): `accept_write:before`, `accept_write:after` or `accept_enqueue:after`
   * makes the API SIGKILL itself at that point of its first accept write.
   */
  API_CRASH_AT: z.enum(['accept_write:before', 'accept_write:after', 'accept_enqueue:after']).optional(),
  /** Allow callbacks to private and loopback addresses (local development only). */
  ALLOW_PRIVATE_CALLBACKS: bool.default(false),
  /**
   * Server timeouts (docs/operations.md, "HTTP timeouts"). A request whose headers have not all
   * arrived within HTTP_HEADERS_TIMEOUT_MS, or whose headers and body have not all arrived within
   * HTTP_REQUEST_TIMEOUT_MS, is answered 408 and its socket closed; Node checks every
   * HTTP_TIMEOUT_CHECK_INTERVAL_MS, so the socket is closed at most that much later.
   */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_TIMEOUT_CHECK_INTERVAL_MS: positiveInt.default(1000),
  /** A keep-alive connection idle this long between requests is closed (above common load balancers' 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(72_000),
  /** A socket with no traffic either way for this long is closed (event streams send heartbeats well within it). */
  HTTP_CONNECTION_TIMEOUT_MS: positiveInt.default(120_000),
  /** Requests per minute per API key (counted in Redis, shared by every API process); generous so benchmarks are not throttled. */
  RATE_LIMIT_PER_MINUTE: positiveInt.default(6000),
  /** Requests per minute per client IP without a valid API key (public routes and failed authentication); a valid key has its own budget. */
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: positiveInt.default(600),
  /** How long a stored Idempotency-Key answer is replayed (at least 24 h, as the API promises). */
  IDEMPOTENCY_KEY_TTL_SECONDS: z.coerce.number().int().min(86_400).default(86_400),
  /** When set, GET /metrics (API and worker) needs `Authorization: Bearer <token>`; unset, it is public. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** The worker process serves /metrics and /healthz on this port (on HOST); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Comment lines on an idle event stream, so proxies keep it open. */
  EXPORT_EVENTS_HEARTBEAT_MS: positiveInt.default(15_000),
  /**
   * How long the signed URLs handed to an ML job (read the training files, write the scores file)
   * stay valid: long enough for a queued cluster to start and train, short enough to be worthless
   * soon after. Capped by the Platform's own expiry for Data Landing Zone credentials.
   */
  ML_STORAGE_URL_TTL_SECONDS: z.coerce.number().int().min(300).max(7 * 24 * 3600).default(6 * 3600),
  /** Scores files of this size and more are uploaded with batch ingestion's large-file flow (Adobe: 256 MB). */
  BATCH_LARGE_FILE_BYTES: positiveInt.default(256 * 1024 * 1024),
  /** Size of each large-file part (Adobe accepts up to 512,000,000 bytes per PATCH); one part is held in memory. */
  BATCH_PART_BYTES: z.coerce.number().int().min(1).max(512_000_000).default(64 * 1024 * 1024),
  /**
   * S3 endpoint override (path-style): unset = AWS. Local mode points it at the simulator's
   * S3-compatible server, the way one points a client at MinIO.
   */
  S3_ENDPOINT_URL: z.url().optional(),
  S3_REGION: z.string().regex(/^[a-z0-9-]+$/).default('us-east-1'),
  /** Google Cloud Storage's S3-compatible XML API; local mode points it at the simulator's. */
  GCS_ENDPOINT_URL: z.url().default(DEFAULT_GCS_ENDPOINT),
  /**
   * ADLS Gen2 endpoint override, path-style (`<url>/<account>`): unset = the account's own
   * `https://<account>.blob.core.windows.net`. Local mode points it at the simulator's HTTPS Azurite.
   */
  ADLS_ENDPOINT_URL: z.url({ protocol: /^https$/ }).optional(),
  /**
   * Entra ID authority host for ADLS Gen2 service principals (@azure/identity `authorityHost`):
   * unset = https://login.microsoftonline.com; another cloud's host, or in local mode the simulator's stand-in.
   */
  AZURE_AUTHORITY_HOST: z.url({ protocol: /^https$/ }).optional(),
  /** PEM file of extra CA certificates the Azure clients trust (storage and Entra ID sign-in); local mode: the emulators' certificate. */
  AZURE_EXTRA_CA_CERTS: z.string().min(1).optional(),
  /** Allow destinations' stores on private or loopback addresses (local development only). */
  ALLOW_PRIVATE_STORAGE: bool.default(false),
  /** Lifetime of signed download URLs and of the read credentials `GET /destinations/:id/access` hands out. */
  SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(900),
  /** The ML platform (Databricks Jobs API) pipelines use unless they name their own; default: the simulator's /ml. */
  ML_PLATFORM_URL: z.url().optional(),
  ML_PLATFORM_TOKEN: z.string().min(1).default('local-ml-platform-token'),
  /** The Databricks job the `ml` step runs when the step names none. */
  ML_PLATFORM_JOB_ID: positiveInt.default(1),
  /** Polling of an ML run (the fallback for lost callbacks): first wait, doubled up to the max. */
  ML_POLL_INITIAL_MS: positiveInt.default(5000),
  ML_POLL_MAX_MS: positiveInt.default(300_000),
  /** `user:password` that Databricks job notifications to /webhooks/ml must carry (basic auth). */
  ML_WEBHOOK_BASIC_AUTH: z.string().regex(/^[^:]+:.+$/).optional(),
  /** Bearer token Databricks job notifications to /webhooks/ml may carry instead. */
  ML_WEBHOOK_BEARER_TOKEN: z.string().min(16).optional(),
  /** How long a pipeline may run before it fails as timed out. */
  PIPELINE_DEADLINE_SECONDS: positiveInt.default(24 * 3600),
  /**
   * Platform objects a pipeline run leaves (its CTAS dataset, segment definition, activation flow
   * and connections) are kept for the newest N succeeded runs of the same pipeline name; older
   * runs' are deleted once a newer run succeeds. 0 keeps everything.
   */
  PIPELINE_RETAIN_RUNS: z.coerce.number().int().min(0).default(1),
  /**
   * Length of the "hour" of a pipeline schedule's `everyHours` cadence. Always 3600000 in
   * production; tests and the demo shorten it (a time scale: 1000 = an hour passes in a second).
   * Cron patterns are wall-clock and never scaled.
   */
  PIPELINE_SCHEDULE_HOUR_MS: positiveInt.default(3_600_000),
  /** How often a worker checks the job schedulers against the schedule rows (and catches up a missed instant). */
  PIPELINE_SCHEDULE_RECONCILE_MS: positiveInt.default(60_000),
  /** How often the worker looks for due outbound notifications. */
  NOTIFICATION_POLL_MS: positiveInt.default(1000),
  /** First retry delay of a failed notification, grown towards Standard Webhooks' schedule. */
  NOTIFICATION_RETRY_INITIAL_MS: positiveInt.default(5000),
  NOTIFICATION_MAX_ATTEMPTS: positiveInt.default(10),
  NOTIFICATION_TIMEOUT_MS: positiveInt.default(15_000),
});

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

export interface ServiceConfig {
  http: {
    host: string;
    port: number;
    publicUrl: string;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    timeoutCheckIntervalMs: number;
    keepAliveTimeoutMs: number;
    connectionTimeoutMs: number;
  };
  database: { url: string; poolSize: number };
  redis: { url: string; queuePrefix: string };
  log: { level: ServiceEnv['LOG_LEVEL']; pretty: boolean };
  simulator: { embedded: boolean; url: string };
  bootstrap: { tenant: boolean; apiKey?: string };
  secrets: { keys?: string; keyFile: string };
  worker: {
    concurrency: number;
    runPollInitialMs: number;
    runPollMaxMs: number;
    notReadyRetryInitialMs: number;
    notReadyRetryMaxMs: number;
    recurringPollInitialMs: number;
    recurringPollMaxMs: number;
    runDeadlineSeconds: number;
    sweeperIntervalMs: number;
    sweeperGraceMs: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    /** Test-only crash hook point (see CRASH_AT). */
    crashAt?: string;
  };
  platform: { timeoutMs: number };
  queryPreview: { sslMode: 'require' | 'verify-full'; timeoutMs: number };
  accept: { maxBatch: number; maxWaitMs: number; datasetFactsTtlMs: number; crashAt?: string };
  callbacks: { allowPrivate: boolean };
  rateLimit: { perMinute: number; unauthenticatedPerMinute: number };
  idempotency: { ttlSeconds: number };
  metrics: { token?: string; workerPort: number };
  events: { heartbeatMs: number };
  schedules: { hourMs: number; reconcileIntervalMs: number };
  pipelines: {
    deadlineSeconds: number;
    retainRuns: number;
    mlPollInitialMs: number;
    mlPollMaxMs: number;
    mlStorageUrlTtlSeconds: number;
    largeFileBytes: number;
    partBytes: number;
  };
  mlPlatform: {
    url: string;
    token: string;
    jobId: number;
    webhookBasicAuth?: { username: string; password: string };
    webhookBearerToken?: string;
  };
  notifications: { pollMs: number; retryInitialMs: number; maxAttempts: number; timeoutMs: number };
  storage: StorageEndpoints & { signedUrlTtlSeconds: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function basicAuthOf(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
/** The simulator's default address (its SIMULATOR_PORT default) when SIMULATOR_URL is unset. */
const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:4010';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = serviceEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const conflicts = [
    // Node refuses a headers timeout longer than the request timeout.
    e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS ? 'HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS' : null,
    // An idle event stream must send its heartbeat before the socket counts as idle.
    e.HTTP_CONNECTION_TIMEOUT_MS <= e.EXPORT_EVENTS_HEARTBEAT_MS ? 'HTTP_CONNECTION_TIMEOUT_MS: must exceed EXPORT_EVENTS_HEARTBEAT_MS' : null,
  ].filter((line) => line !== null);
  if (conflicts.length > 0) throw new ConfigError(`invalid configuration:\n  ${conflicts.join('\n  ')}`);
  return {
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      timeoutCheckIntervalMs: e.HTTP_TIMEOUT_CHECK_INTERVAL_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionTimeoutMs: e.HTTP_CONNECTION_TIMEOUT_MS,
    },
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    simulator: { embedded: e.EMBEDDED_SIMULATOR, url: e.SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL },
    bootstrap: { tenant: e.BOOTSTRAP_TENANT, ...(e.BOOTSTRAP_API_KEY ? { apiKey: e.BOOTSTRAP_API_KEY } : {}) },
    secrets: { ...(e.SECRETS_KEYS ? { keys: e.SECRETS_KEYS } : {}), keyFile: e.SECRETS_KEY_FILE },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      runPollInitialMs: e.RUN_POLL_INITIAL_MS,
      runPollMaxMs: e.RUN_POLL_MAX_MS,
      notReadyRetryInitialMs: e.NOT_READY_RETRY_INITIAL_MS,
      notReadyRetryMaxMs: e.NOT_READY_RETRY_MAX_MS,
      recurringPollInitialMs: e.RECURRING_POLL_INITIAL_MS,
      recurringPollMaxMs: e.RECURRING_POLL_MAX_MS,
      runDeadlineSeconds: e.RUN_DEADLINE_SECONDS,
      sweeperIntervalMs: e.SWEEPER_INTERVAL_MS,
      sweeperGraceMs: e.SWEEPER_GRACE_MS,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      ...(e.CRASH_AT ? { crashAt: e.CRASH_AT } : {}),
    },
    platform: { timeoutMs: e.PLATFORM_TIMEOUT_MS },
    queryPreview: { sslMode: e.QUERY_SERVICE_SSLMODE, timeoutMs: e.QUERY_PREVIEW_TIMEOUT_MS },
    accept: {
      maxBatch: e.ACCEPT_BATCH_MAX,
      maxWaitMs: e.ACCEPT_BATCH_MAX_WAIT_MS,
      datasetFactsTtlMs: e.DATASET_FACTS_TTL_MS,
      ...(e.API_CRASH_AT ? { crashAt: e.API_CRASH_AT } : {}),
    },
    callbacks: { allowPrivate: e.ALLOW_PRIVATE_CALLBACKS },
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, unauthenticatedPerMinute: e.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE },
    idempotency: { ttlSeconds: e.IDEMPOTENCY_KEY_TTL_SECONDS },
    metrics: { ...(e.METRICS_TOKEN ? { token: e.METRICS_TOKEN } : {}), workerPort: e.WORKER_METRICS_PORT },
    events: { heartbeatMs: e.EXPORT_EVENTS_HEARTBEAT_MS },
    schedules: { hourMs: e.PIPELINE_SCHEDULE_HOUR_MS, reconcileIntervalMs: e.PIPELINE_SCHEDULE_RECONCILE_MS },
    pipelines: {
      deadlineSeconds: e.PIPELINE_DEADLINE_SECONDS,
      retainRuns: e.PIPELINE_RETAIN_RUNS,
      mlPollInitialMs: e.ML_POLL_INITIAL_MS,
      mlPollMaxMs: e.ML_POLL_MAX_MS,
      mlStorageUrlTtlSeconds: e.ML_STORAGE_URL_TTL_SECONDS,
      largeFileBytes: e.BATCH_LARGE_FILE_BYTES,
      partBytes: e.BATCH_PART_BYTES,
    },
    mlPlatform: {
      url: (e.ML_PLATFORM_URL ?? `${(e.SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL).replace(/\/$/, '')}/ml`).replace(/\/$/, ''),
      token: e.ML_PLATFORM_TOKEN,
      jobId: e.ML_PLATFORM_JOB_ID,
      ...(e.ML_WEBHOOK_BASIC_AUTH ? { webhookBasicAuth: basicAuthOf(e.ML_WEBHOOK_BASIC_AUTH) } : {}),
      ...(e.ML_WEBHOOK_BEARER_TOKEN ? { webhookBearerToken: e.ML_WEBHOOK_BEARER_TOKEN } : {}),
    },
    storage: {
      ...(e.S3_ENDPOINT_URL ? { s3Endpoint: e.S3_ENDPOINT_URL.replace(/\/$/, '') } : {}),
      s3Region: e.S3_REGION,
      gcsEndpoint: e.GCS_ENDPOINT_URL.replace(/\/$/, ''),
      ...(e.ADLS_ENDPOINT_URL ? { adlsEndpoint: e.ADLS_ENDPOINT_URL.replace(/\/$/, '') } : {}),
      ...(e.AZURE_AUTHORITY_HOST ? { azureAuthorityHost: e.AZURE_AUTHORITY_HOST.replace(/\/$/, '') } : {}),
      ...(e.AZURE_EXTRA_CA_CERTS ? { azureExtraCaFile: e.AZURE_EXTRA_CA_CERTS } : {}),
      allowPrivate: e.ALLOW_PRIVATE_STORAGE,
      signedUrlTtlSeconds: e.SIGNED_URL_TTL_SECONDS,
    },
    notifications: {
      pollMs: e.NOTIFICATION_POLL_MS,
      retryInitialMs: e.NOTIFICATION_RETRY_INITIAL_MS,
      maxAttempts: e.NOTIFICATION_MAX_ATTEMPTS,
      timeoutMs: e.NOTIFICATION_TIMEOUT_MS,
    },
  };
}

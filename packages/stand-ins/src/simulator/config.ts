// Configuration of the Platform simulator, parsed once from the environment with zod. The only
// module of the simulator that reads process.env.
import { z } from 'zod';
import {
  DEFAULT_SIMULATOR_CLIENT_ID,
  DEFAULT_SIMULATOR_CLIENT_SECRET,
  DEFAULT_SIMULATOR_CLIENTS,
  DEFAULT_SIMULATOR_ORG_ID,
  simulatorClientsSchema,
  type SimulatorClient,
} from './clients.js';
import { faultConfigSchema, NO_FAULTS, type FaultConfig } from './faults/fault-config.js';

export { DEFAULT_SIMULATOR_CLIENT_ID, DEFAULT_SIMULATOR_CLIENT_SECRET, DEFAULT_SIMULATOR_ORG_ID, type SimulatorClient };
export const DEFAULT_SIMULATOR_PORT = 4010;

const DEFAULT_CLIENTS = DEFAULT_SIMULATOR_CLIENTS;

const PROFILE_DEFAULTS = {
  fast: { notReadySeconds: 2, runDurationSeconds: 1 },
  realistic: { notReadySeconds: 600, runDurationSeconds: 120 },
} as const;

/** A Postgres identifier we can safely quote into DDL. */
export const sqlIdentifierSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier');

const clientsSchema = simulatorClientsSchema;

const faultsFromJsonSchema = z
  .string()
  .trim()
  .min(1)
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'SIMULATOR_FAULTS must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(faultConfigSchema);

const optionalInt = (min: number) => z.coerce.number().int().min(min).optional();
const port = z.coerce.number().int().min(0).max(65535);

/** `id:secret[,id:secret…]` access keys an S3-compatible emulator accepts. */
const accessKeysSchema = z
  .string()
  .trim()
  .min(1)
  .transform((raw, ctx) => {
    const keys: { accessKeyId: string; secretAccessKey: string }[] = [];
    for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
      const colon = entry.indexOf(':');
      if (colon <= 0 || colon === entry.length - 1) {
        ctx.addIssue({ code: 'custom', message: 'expected accessKeyId:secretAccessKey[,...]' });
        return z.NEVER;
      }
      keys.push({ accessKeyId: entry.slice(0, colon), secretAccessKey: entry.slice(colon + 1) });
    }
    return keys;
  });

/** `tenant:clientId:secret[,…]` service principals the Entra ID stand-in signs in. */
const entraPrincipalsSchema = z
  .string()
  .trim()
  .min(1)
  .transform((raw, ctx) => {
    const principals: { tenant: string; clientId: string; clientSecret: string }[] = [];
    for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
      const [tenant, clientId, ...secret] = entry.split(':');
      if (!tenant || !clientId || secret.join(':') === '') {
        ctx.addIssue({ code: 'custom', message: 'expected tenant:clientId:clientSecret[,...]' });
        return z.NEVER;
      }
      principals.push({ tenant, clientId, clientSecret: secret.join(':') });
    }
    return principals;
  });

/** `user:password[,user:password…]` the SFTP emulator accepts. */
const sftpUsersSchema = accessKeysSchema.transform((pairs) => pairs.map((p) => ({ username: p.accessKeyId, password: p.secretAccessKey })));

/**
 * The emulators' local credentials. Like Azurite's development account they are public, fixed
 * values for the local stand-ins only; no real store accepts them.
 */
export const DEFAULT_EMULATOR_S3_KEY = { accessKeyId: 'AKIALOCALSIMULATOR23', secretAccessKey: 'localSimulatorS3SecretKeyNotASecret00000' };
export const DEFAULT_EMULATOR_GCS_KEY = { accessKeyId: 'GOOGLOCALSIMULATOR00', secretAccessKey: 'localSimulatorGcsHmacSecretNotASecret000' };
export const DEFAULT_EMULATOR_SFTP_USER = { username: 'local', password: 'local-sftp-password' };
/** The ADLS Gen2 emulator's service principal (Entra ID stand-in); ids are GUIDs as Entra's are. */
export const DEFAULT_EMULATOR_ENTRA_PRINCIPAL = {
  tenant: '3f2b6a1c-8d4e-4f5a-9b6c-7d8e9f0a1b2c',
  clientId: '6c1f9d2e-4b3a-4c5d-8e7f-9a0b1c2d3e4f',
  clientSecret: 'local-entra-client-secret-not-a-secret',
};

export const simulatorEnvSchema = z.object({
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_SIMULATOR_PORT),
  SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  SIMULATOR_DATABASE_URL: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  SIMULATOR_DB_SCHEMA: sqlIdentifierSchema.default('simulator'),
  SIMULATOR_PROFILE: z.enum(['fast', 'realistic']).default('fast'),
  LANDING_ZONE_DIR: z.string().min(1).default('./data/landing'),
  SIMULATOR_SEED: z.coerce.number().int().default(20240101),
  SIMULATOR_SEED_USERS: z.coerce.number().int().min(0).default(300),
  SIMULATOR_NOT_READY_SECONDS: optionalInt(0),
  SIMULATOR_RUN_SECONDS: optionalInt(0),
  /**
   * Platform seconds per real second of a flow's schedule interval (runs/flow-window.ts): 1 is
   * real time; 5400 fires a PT3H flow every 2 s. Start, end and expiry stay wall-clock instants.
   */
  SIMULATOR_SCHEDULE_TIME_SCALE: z.coerce.number().positive().default(1),
  SIMULATOR_LIVE_INGESTION_ROWS: z.coerce.number().int().min(0).default(0),
  SIMULATOR_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).default(86399),
  SIMULATOR_REQUEST_LOGS: z.enum(['true', 'false']).default('true'),
  SIMULATOR_CLIENTS: clientsSchema.optional(),
  SIMULATOR_FAULTS: faultsFromJsonSchema.optional(),
  SIMULATOR_ADMIN_TOKEN: z.string().min(1).optional(),
  /** Start the storage emulators (Azurite, S3, GCS, SFTP) with the simulator. */
  SIMULATOR_STORAGE_EMULATORS: z.stringbool().default(true),
  SIMULATOR_STORAGE_DIR: z.string().min(1).default('./data/emulators'),
  SIMULATOR_AZURITE_PORT: port.default(10000),
  SIMULATOR_S3_PORT: port.default(4569),
  SIMULATOR_GCS_PORT: port.default(4570),
  SIMULATOR_SFTP_PORT: port.default(2222),
  /** ADLS Gen2: an HTTPS Azurite taking Entra ID tokens, and the Entra ID stand-in issuing them. */
  SIMULATOR_ADLS_PORT: port.default(10010),
  SIMULATOR_ENTRA_PORT: port.default(4571),
  SIMULATOR_ENTRA_PRINCIPALS: entraPrincipalsSchema.optional(),
  SIMULATOR_S3_KEYS: accessKeysSchema.optional(),
  SIMULATOR_GCS_KEYS: accessKeysSchema.optional(),
  SIMULATOR_SFTP_USERS: sftpUsersSchema.optional(),
  /** With SIMULATOR_STORAGE_EMULATORS=false: emulators already running elsewhere (compose, another simulator). */
  SIMULATOR_AZURITE_BLOB_ENDPOINT: z.url().optional(),
  SIMULATOR_S3_ENDPOINT: z.url().optional(),
  SIMULATOR_GCS_ENDPOINT: z.url().optional(),
  SIMULATOR_SFTP_HOST: z.string().min(1).optional(),
  /** Query Service's PostgreSQL interface (0: any free port), and the host name GET /connection_parameters names (default: the Host the caller used). */
  SIMULATOR_QUERY_PORT: port.default(4012),
  SIMULATOR_QUERY_HOST: z.string().min(1).optional(),
  /** How long a DLZ SAS from the credentials endpoint stays valid. */
  SIMULATOR_DLZ_SAS_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
});

export interface SimulatorStorageConfig {
  /** false: no emulators; exports to cloud destinations then fail as unreachable. */
  embedded: boolean;
  /** Where the emulators keep their data; read by nothing but them. */
  directory: string;
  azuritePort: number;
  s3Port: number;
  gcsPort: number;
  sftpPort: number;
  s3Keys: { accessKeyId: string; secretAccessKey: string }[];
  gcsKeys: { accessKeyId: string; secretAccessKey: string }[];
  sftpUsers: { username: string; password: string }[];
  /** HTTPS Azurite standing for customers' ADLS Gen2 accounts, and the Entra ID stand-in. */
  adlsPort: number;
  entraPort: number;
  entraPrincipals: { tenant: string; clientId: string; clientSecret: string }[];
  dlzSasTtlSeconds: number;
  /** Emulators running elsewhere, used when not embedded (Azurite with its development account). */
  external?: { azureBlobEndpoint: string; s3Endpoint: string; gcsEndpoint: string; sftpHost: string; sftpPort: number };
}

export interface SimulatorConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Postgres schema of every simulator table (a validated identifier). */
  dbSchema: string;
  profile: 'fast' | 'realistic';
  landingZoneDir: string;
  seed: number;
  seedUsers: number;
  /** How long after creation/enable a flow refuses ad hoc runs. */
  notReadySeconds: number;
  runDurationSeconds: number;
  /** Platform seconds per real second of schedule intervals (1 = real time). */
  scheduleTimeScale: number;
  /**
   * Rows that land in a dataset between two ad hoc run requests, as on an org whose datasets take
   * continuous ingestion (0: a dataset changes only when something writes to it). With 0, a second
   * run of a flow with nothing new is refused as Adobe refuses it ("run already exists").
   */
  liveIngestionRows: number;
  tokenTtlSeconds: number;
  /** A log line per request (off in benchmarks: at hundreds of calls a second it costs the simulator more CPU than many routes). */
  requestLogs: boolean;
  clients: SimulatorClient[];
  faults: FaultConfig;
  /** When set, admin routes need `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  storage: SimulatorStorageConfig;
  /** Port of the PostgreSQL interface (0: any free port). */
  queryPort: number;
  /** Host name handed out for it; default: the host the caller reached the simulator by. */
  queryHost?: string;
}

/** Parses the environment (and optional overrides, e.g. from tests) into a SimulatorConfig. */
export function loadSimulatorConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<SimulatorConfig> = {},
): SimulatorConfig {
  const parsed = simulatorEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid simulator configuration: ${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  const profile = overrides.profile ?? e.SIMULATOR_PROFILE;
  const config: SimulatorConfig = {
    port: e.SIMULATOR_PORT,
    host: e.SIMULATOR_HOST,
    databaseUrl: e.SIMULATOR_DATABASE_URL ?? e.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/aep_jobs',
    dbSchema: e.SIMULATOR_DB_SCHEMA,
    profile,
    landingZoneDir: e.LANDING_ZONE_DIR,
    seed: e.SIMULATOR_SEED,
    seedUsers: e.SIMULATOR_SEED_USERS,
    notReadySeconds: e.SIMULATOR_NOT_READY_SECONDS ?? PROFILE_DEFAULTS[profile].notReadySeconds,
    runDurationSeconds: e.SIMULATOR_RUN_SECONDS ?? PROFILE_DEFAULTS[profile].runDurationSeconds,
    scheduleTimeScale: e.SIMULATOR_SCHEDULE_TIME_SCALE,
    liveIngestionRows: e.SIMULATOR_LIVE_INGESTION_ROWS,
    tokenTtlSeconds: e.SIMULATOR_TOKEN_TTL_SECONDS,
    requestLogs: e.SIMULATOR_REQUEST_LOGS === 'true',
    clients: e.SIMULATOR_CLIENTS ?? DEFAULT_CLIENTS,
    faults: e.SIMULATOR_FAULTS ?? NO_FAULTS,
    ...(e.SIMULATOR_ADMIN_TOKEN === undefined ? {} : { adminToken: e.SIMULATOR_ADMIN_TOKEN }),
    queryPort: e.SIMULATOR_QUERY_PORT,
    ...(e.SIMULATOR_QUERY_HOST === undefined ? {} : { queryHost: e.SIMULATOR_QUERY_HOST }),
    storage: {
      embedded: e.SIMULATOR_STORAGE_EMULATORS,
      directory: e.SIMULATOR_STORAGE_DIR,
      azuritePort: e.SIMULATOR_AZURITE_PORT,
      s3Port: e.SIMULATOR_S3_PORT,
      gcsPort: e.SIMULATOR_GCS_PORT,
      sftpPort: e.SIMULATOR_SFTP_PORT,
      s3Keys: e.SIMULATOR_S3_KEYS ?? [DEFAULT_EMULATOR_S3_KEY],
      gcsKeys: e.SIMULATOR_GCS_KEYS ?? [DEFAULT_EMULATOR_GCS_KEY],
      sftpUsers: e.SIMULATOR_SFTP_USERS ?? [DEFAULT_EMULATOR_SFTP_USER],
      adlsPort: e.SIMULATOR_ADLS_PORT,
      entraPort: e.SIMULATOR_ENTRA_PORT,
      entraPrincipals: e.SIMULATOR_ENTRA_PRINCIPALS ?? [DEFAULT_EMULATOR_ENTRA_PRINCIPAL],
      dlzSasTtlSeconds: e.SIMULATOR_DLZ_SAS_TTL_SECONDS,
      ...(e.SIMULATOR_AZURITE_BLOB_ENDPOINT && e.SIMULATOR_S3_ENDPOINT && e.SIMULATOR_GCS_ENDPOINT && e.SIMULATOR_SFTP_HOST
        ? {
            external: {
              azureBlobEndpoint: e.SIMULATOR_AZURITE_BLOB_ENDPOINT.replace(/\/$/, ''),
              s3Endpoint: e.SIMULATOR_S3_ENDPOINT.replace(/\/$/, ''),
              gcsEndpoint: e.SIMULATOR_GCS_ENDPOINT.replace(/\/$/, ''),
              sftpHost: e.SIMULATOR_SFTP_HOST,
              sftpPort: e.SIMULATOR_SFTP_PORT,
            },
          }
        : {}),
    },
  };
  const merged = { ...config, ...stripUndefined(overrides) };
  sqlIdentifierSchema.parse(merged.dbSchema);
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

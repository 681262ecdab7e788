// The Platform simulator as a child process of its own (packages/stand-ins/src/simulator/main.ts), so a scenario can
// restart or kill the service's processes while the Platform keeps its state: a fresh database on
// the shared Postgres server (the Platform is never our database, so a scenario that restarts
// ours leaves it alone), a temp landing dir, fault rules set through its admin API. close()
// stops it and drops both.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadSimulatorConfig, type SimulatorStorageConfig } from '../../../packages/stand-ins/src/simulator/config.js';
import type { FaultConfig, FaultConfigInput } from '../../../packages/stand-ins/src/simulator/faults/fault-config.js';
import { AZURITE_ACCOUNT_NAME } from '../../../packages/stand-ins/src/simulator/storage/azurite-server.js';
import { externalStorageEmulators, type StorageEmulators } from '../../../packages/stand-ins/src/simulator/storage/storage-emulators.js';
import { adminDatabaseUrl } from '../database.js';
import { spawnService, type ServiceProcess } from '../processes.js';
import { freePort } from './free-port.js';

export interface SimulatorProcessOptions {
  /** Seconds a new or re-enabled flow refuses ad hoc runs. */
  notReadySeconds: number;
  /** Seconds a run stays in progress. */
  runSeconds: number;
  /** Synthetic users per sandbox (smaller is faster to seed and to export). */
  seedUsers?: number;
  /**
   * Rows landing in a dataset before each ad hoc run request (default 1): scenarios export the
   * same dataset through one flow many times, which Adobe refuses when nothing new arrived.
   */
  liveIngestionRows?: number;
  faults?: FaultConfigInput;
  /** A log line per request (default true; benchmarks turn it off). */
  requestLogs?: boolean;
}

export interface SimulatorProcess {
  readonly url: string;
  /** The simulator's own database on the shared server. */
  readonly database: string;
  /** The storage emulators the simulator process runs (the "customer's" stores), by endpoint. */
  readonly storage: Omit<StorageEmulators, 'close'>;
  /** The emulators' keys and users (the simulator's defaults). */
  readonly config: { storage: Pick<SimulatorStorageConfig, 's3Keys' | 'gcsKeys' | 'sftpUsers'> };
  readonly process: ServiceProcess;
  setFaults(faults: FaultConfigInput): Promise<FaultConfig>;
  faults(): Promise<FaultConfig>;
  close(): Promise<void>;
}

export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const database = `t_chaossim_${randomBytes(5).toString('hex')}`;
  const databaseUrl = new URL(adminDatabaseUrl);
  databaseUrl.pathname = `/${database}`;
  const landingZoneDir = await mkdtemp(join(tmpdir(), 'chaos-landing-'));
  // Ports chosen here (not 0) so the scenario knows where the emulators listen.
  const [azuritePort, s3Port, gcsPort, sftpPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawnService('simulator', 'packages/stand-ins/src/simulator/main.ts', {
    SIMULATOR_PORT: String(port),
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_DATABASE_URL: databaseUrl.toString(),
    SIMULATOR_DB_SCHEMA: 'simulator',
    LANDING_ZONE_DIR: landingZoneDir,
    SIMULATOR_STORAGE_DIR: join(landingZoneDir, 'emulators'),
    SIMULATOR_AZURITE_PORT: String(azuritePort),
    SIMULATOR_S3_PORT: String(s3Port),
    SIMULATOR_GCS_PORT: String(gcsPort),
    SIMULATOR_SFTP_PORT: String(sftpPort),
    // The scenarios export to no ADLS Gen2 destination: its emulators take any free port.
    SIMULATOR_ADLS_PORT: '0',
    SIMULATOR_ENTRA_PORT: '0',
    SIMULATOR_QUERY_PORT: '0',
    SIMULATOR_NOT_READY_SECONDS: String(options.notReadySeconds),
    SIMULATOR_RUN_SECONDS: String(options.runSeconds),
    SIMULATOR_SEED_USERS: String(options.seedUsers ?? 100),
    SIMULATOR_LIVE_INGESTION_ROWS: String(options.liveIngestionRows ?? 1),
    SIMULATOR_REQUEST_LOGS: String(options.requestLogs ?? true),
    ...(options.faults === undefined ? {} : { SIMULATOR_FAULTS: JSON.stringify(options.faults) }),
  });

  const close = async (): Promise<void> => {
    await child.kill9();
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    await rm(landingZoneDir, { recursive: true, force: true });
  };

  try {
    await child.waitForLine(/Platform simulator listening/, 60_000);
  } catch (error) {
    await close();
    throw error;
  }

  const admin = async (method: 'GET' | 'PUT', body?: unknown): Promise<FaultConfig> => {
    const response = await fetch(`${url}/simulator/admin/faults`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (response.status !== 200) throw new Error(`simulator faults ${method}: ${response.status} ${await response.text()}`);
    return (await response.json()) as FaultConfig;
  };

  const { s3Keys, gcsKeys, sftpUsers } = loadSimulatorConfig({}).storage;
  const storage = externalStorageEmulators({
    azureBlobEndpoint: `http://127.0.0.1:${azuritePort}/${AZURITE_ACCOUNT_NAME}`,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    gcsEndpoint: `http://127.0.0.1:${gcsPort}`,
    sftpHost: '127.0.0.1',
    sftpPort,
  });

  return {
    url,
    database,
    storage,
    config: { storage: { s3Keys, gcsKeys, sftpUsers } },
    process: child,
    setFaults: (faults) => admin('PUT', faults),
    faults: () => admin('GET'),
    close,
  };
}

// Starts a Platform simulator for one test: port 0, a fresh random Postgres schema (dropped on
// close) and a temporary landing directory; helpers for IMS tokens and the gateway headers.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../packages/stand-ins/src/simulator/app.js';
import { loadSimulatorConfig, type SimulatorConfig } from '../../packages/stand-ins/src/simulator/config.js';
import type { SimulatorContext } from '../../packages/stand-ins/src/simulator/context.js';
import type { FaultConfig, FaultConfigInput } from '../../packages/stand-ins/src/simulator/faults/fault-config.js';
import type { StorageEmulators } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';
import { platformContract, type ContractMode, type PlatformContract } from './platform-contract.js';

export interface StartSimulatorOptions extends Partial<SimulatorConfig> {
  /** Sandbox the helpers' headers name (default `prod`). */
  sandbox?: string;
  /** Clock override passed to the simulator. */
  now?: () => number;
  /**
   * The Platform contract check on the service client's requests: `reject` (default) answers a
   * request that breaks Adobe's OpenAPI files with 400, `record` only keeps it, `off` skips it.
   */
  contract?: ContractMode | 'off';
}

export interface TestSimulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (changes after restart()). */
  readonly url: string;
  readonly ctx: SimulatorContext;
  /** The storage emulators' endpoints and credentials (Azurite, S3, GCS, SFTP). */
  readonly storage: StorageEmulators;
  readonly config: SimulatorConfig;
  orgId: string;
  sandbox: string;
  clientId: string;
  clientSecret: string;
  /** An IMS access token (fetched over HTTP once, then cached). */
  token(): Promise<string>;
  /** The gateway headers (Authorization, x-api-key, org, sandbox, JSON Content-Type) plus `extra`. */
  headers(extra?: Record<string, string>): Promise<Record<string, string>>;
  /** What the contract check saw of the Platform client's requests (undefined with contract 'off'). */
  readonly contract: PlatformContract | undefined;
  /**
   * Appends new synthetic rows to a dataset (admin route), so the next run of an incremental flow
   * has something to export (with nothing new the Platform answers "run already exists").
   */
  appendRows(datasetId: string, count?: number): Promise<void>;
  /** Replaces the fault config through the admin endpoint. */
  setFaults(faults: FaultConfigInput): Promise<FaultConfig>;
  /** Closes the simulator and starts a new one on the same schema (state must survive). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** PLATFORM_CONTRACT=record|off switches the default (e.g. to survey every violation in one run). */
function defaultContractMode(): ContractMode | 'off' {
  const value = process.env.PLATFORM_CONTRACT;
  return value === 'record' || value === 'off' ? value : 'reject';
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<TestSimulator> {
  const { sandbox = 'prod', now, contract: contractMode = defaultContractMode(), ...overrides } = options;
  const contract = contractMode === 'off' ? undefined : platformContract(contractMode);
  const simulatorOptions: SimulatorOptions = { ...(now === undefined ? {} : { now }), ...(contract === undefined ? {} : { requestInspector: contract.inspector }) };
  const landingZoneDir = overrides.landingZoneDir ?? (await mkdtemp(join(tmpdir(), 'sim-landing-')));
  const ownsLanding = overrides.landingZoneDir === undefined;
  const dbSchema = overrides.dbSchema ?? `sim_test_${randomBytes(6).toString('hex')}`;
  const storageDir = overrides.storage?.directory ?? (await mkdtemp(join(tmpdir(), 'sim-storage-')));
  const ownsStorage = overrides.storage?.directory === undefined;
  const defaults = loadSimulatorConfig(undefined, {});
  const storage = { ...defaults.storage, azuritePort: 0, s3Port: 0, gcsPort: 0, sftpPort: 0, adlsPort: 0, entraPort: 0, ...overrides.storage, directory: storageDir };
  const config = loadSimulatorConfig(undefined, { port: 0, queryPort: 0, host: '127.0.0.1', ...overrides, dbSchema, landingZoneDir, storage });
  const client = config.clients[0];
  if (client === undefined) throw new Error('simulator config has no clients');

  let simulator: Simulator = createSimulator(config, simulatorOptions);
  let url = await simulator.start();
  // A restart keeps the emulators' ports, so destinations that name them stay valid.
  if (simulator.ctx.storage.running) {
    const endpoints = simulator.ctx.storage.endpoints;
    const portOf = (endpoint: string) => Number(new URL(endpoint).port);
    Object.assign(config.storage, {
      azuritePort: portOf(endpoints.azure.blobEndpoint),
      s3Port: portOf(endpoints.s3.endpoint),
      gcsPort: portOf(endpoints.gcs.endpoint),
      sftpPort: endpoints.sftp.port,
      ...(endpoints.adls === undefined ? {} : { adlsPort: portOf(endpoints.adls.endpoint), entraPort: portOf(endpoints.adls.authorityHost) }),
    });
  }
  let cachedToken: string | undefined;

  const token = async (): Promise<string> => {
    if (cachedToken !== undefined) return cachedToken;
    const response = await fetch(`${url}/ims/token/v3`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'openid,AdobeID' }),
    });
    if (response.status !== 200) throw new Error(`IMS token request failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { access_token: string };
    cachedToken = body.access_token;
    return cachedToken;
  };

  const adminHeaders = (): Record<string, string> =>
    config.adminToken === undefined ? {} : { authorization: `Bearer ${config.adminToken}` };

  return {
    get url() {
      return url;
    },
    get ctx() {
      return simulator.ctx;
    },
    get storage() {
      return simulator.ctx.storage.endpoints;
    },
    config,
    contract,
    orgId: client.orgId,
    sandbox,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    token,
    async headers(extra = {}) {
      return {
        authorization: `Bearer ${await token()}`,
        'x-api-key': client.clientId,
        'x-gw-ims-org-id': client.orgId,
        'x-sandbox-name': sandbox,
        'content-type': 'application/json',
        ...extra,
      };
    },
    async appendRows(datasetId, count = 10) {
      const response = await fetch(`${url}/simulator/admin/datasets/${datasetId}/rows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}`, 'x-api-key': client.clientId, 'x-gw-ims-org-id': client.orgId, 'x-sandbox-name': sandbox, 'content-type': 'application/json' },
        body: JSON.stringify({ count }),
      });
      if (response.status !== 201) throw new Error(`appending rows failed: ${response.status} ${await response.text()}`);
    },
    async setFaults(faults) {
      const response = await fetch(`${url}/simulator/admin/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...adminHeaders() },
        body: JSON.stringify(faults),
      });
      if (response.status !== 200) throw new Error(`setFaults failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as FaultConfig;
    },
    async restart() {
      await simulator.close();
      simulator = createSimulator(config, simulatorOptions);
      url = await simulator.start();
    },
    async close() {
      await simulator.close();
      const admin = new pg.Client({ connectionString: config.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${dbSchema}" CASCADE`);
      } finally {
        await admin.end();
      }
      if (ownsLanding) await rm(landingZoneDir, { recursive: true, force: true });
      if (ownsStorage) await rm(storageDir, { recursive: true, force: true });
    },
  };
}

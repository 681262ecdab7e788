// `npm start`: the whole service on its local defaults in one process — the Platform simulator
// (unless EMBEDDED_SIMULATOR=false), migrations, a local tenant with a printed API key, the API
// and a worker. Production runs src/server.ts and src/worker.ts as separate processes.
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { loadSecretBox } from './crypto/secret-box.js';
import { createDb } from './db/client.js';
import { migrate } from './db/migrate.js';
import { loggerOptions } from './logger.js';
import { createServiceMetrics } from './metrics/service-metrics.js';
import { onShutdown } from './runtime/shutdown.js';
import { startApi } from './server.js';
import { createSimulator, type Simulator } from './simulator/app.js';
import { loadSimulatorConfig } from './simulator/config.js';
import { emulatorCertificateFile } from './simulator/storage/storage-emulators.js';
import { localApiKeyFile, localApiUrlFile, publishLocalApiUrl, readLocalApiKey, withdrawLocalApiUrl, writeLocalApiKey } from './runtime/local-service.js';
import { bootstrapLocalTenant } from './tenants/bootstrap.js';
import { startWorker } from './worker.js';

/** Sandbox of the local tenant: the simulator serves any name; Adobe's default is "prod". */
const localSandbox = 'prod';


// Local mode logs for humans unless told otherwise.
const baseEnv: NodeJS.ProcessEnv = { LOG_PRETTY: 'true', ...process.env };
const simulatorConfig = loadSimulatorConfig(baseEnv);
// With the embedded simulator, the destinations' stores are its emulators on loopback: S3 and GCS
// are reached through the endpoint override, as any S3-compatible store is; ADLS Gen2 through its
// endpoint override and Entra ID authority host, trusting the emulators' self-signed certificate
// (created by the simulator when it starts, before the API and the worker use it).
const localStorageEnv =
  baseEnv.EMBEDDED_SIMULATOR !== 'false' && simulatorConfig.storage.embedded
    ? {
        S3_ENDPOINT_URL: `http://${simulatorConfig.host}:${simulatorConfig.storage.s3Port}`,
        GCS_ENDPOINT_URL: `http://${simulatorConfig.host}:${simulatorConfig.storage.gcsPort}`,
        ADLS_ENDPOINT_URL: `https://${simulatorConfig.host}:${simulatorConfig.storage.adlsPort}`,
        AZURE_AUTHORITY_HOST: `https://${simulatorConfig.host}:${simulatorConfig.storage.entraPort}`,
        AZURE_EXTRA_CA_CERTS: emulatorCertificateFile(simulatorConfig.storage.directory),
        ALLOW_PRIVATE_STORAGE: 'true',
      }
    : {};
const env = { ...localStorageEnv, ...baseEnv };
const config = loadConfig(env, simulatorConfig.port);
const logger = pino(loggerOptions({ level: config.log.level, pretty: config.log.pretty }));

let simulator: Simulator | undefined;
if (config.simulator.embedded) {
  simulator = createSimulator(simulatorConfig, { logger: logger.child({ component: 'simulator' }) });
  const url = await simulator.start();
  logger.info({ url }, 'Platform simulator listening');
}

const applied = await migrate(config.database.url);
if (applied.length) logger.info({ applied }, 'database migrated');

let bootstrapKey: string | undefined;
if (config.bootstrap.tenant) {
  const client = simulatorConfig.clients[0];
  if (!client) throw new Error('the simulator has no client to bind the local tenant to (SIMULATOR_CLIENTS)');
  const db = createDb(config.database.url, 1);
  try {
    const result = await bootstrapLocalTenant(db, loadSecretBox(config.secrets), { ...client, sandbox: localSandbox }, config.bootstrap.apiKey);
    bootstrapKey = result.apiKey;
    if (bootstrapKey) await writeLocalApiKey(bootstrapKey);
    else bootstrapKey = await readLocalApiKey();
  } finally {
    await db.$disconnect();
  }
}

// One registry for both: the API's /metrics shows the worker's job and Platform metrics too.
const metrics = createServiceMetrics({ processMetrics: true });
const api = await startApi(config, logger.child({ component: 'api' }), metrics);
const worker = await startWorker(config, logger.child({ component: 'worker' }), { metrics });
// `npm run demo` and the CLI read this to find the API on whatever port it runs.
await publishLocalApiUrl(api.url);

const banner = [
  '',
  `  API        ${api.url}   (docs: ${api.url}/docs; URL also in ${localApiUrlFile})`,
  simulator ? `  Simulator  http://${simulatorConfig.host}:${simulatorConfig.port}` : '',
  simulator?.ctx.storage.running
    ? `  Storage    Azurite ${simulator.ctx.storage.endpoints.azure.blobEndpoint}, S3 ${simulator.ctx.storage.endpoints.s3.endpoint}, GCS ${simulator.ctx.storage.endpoints.gcs.endpoint}, SFTP sftp://${simulator.ctx.storage.endpoints.sftp.host}:${simulator.ctx.storage.endpoints.sftp.port}`
    : '',
  simulator?.ctx.storage.running && simulator.ctx.storage.endpoints.adls
    ? `  ADLS Gen2  ${simulator.ctx.storage.endpoints.adls.blobEndpoint} (Entra ID ${simulator.ctx.storage.endpoints.adls.authorityHost})`
    : '',
  bootstrapKey
    ? `  API key    ${bootstrapKey}   (also in ${localApiKeyFile})`
    : '  API key    (the local tenant already has one; set BOOTSTRAP_API_KEY to choose it)',
  '',
].filter((line) => line !== '');
console.log(banner.join('\n') + '\n');

onShutdown(logger, async () => {
  await withdrawLocalApiUrl(api.url);
  await api.close();
  await worker.close();
  await simulator?.close();
});

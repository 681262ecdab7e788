// `npm start`: the stand-ins, then the whole service on its local defaults. Unless
// EMBEDDED_SIMULATOR=false, the Platform simulator (with its ML platform under /ml and the storage
// emulators, from packages/stand-ins) starts first in this process; the service
// (src/local-service.ts) is then pointed at it through the same settings it would take for Adobe,
// S3, GCS or Azure. The product itself never imports the stand-ins.
import { pino } from 'pino';
import { createSimulator } from '../packages/stand-ins/src/simulator/app.js';
import { loadSimulatorConfig } from '../packages/stand-ins/src/simulator/config.js';
import { emulatorCertificateFile } from '../packages/stand-ins/src/simulator/storage/storage-emulators.js';
import { loadConfig } from '../src/config.js';
import { runLocalService, type LocalStandIns } from '../src/local-service.js';
import { loggerOptions } from '../src/logger.js';

// Local mode logs for humans unless told otherwise.
const baseEnv: NodeJS.ProcessEnv = { LOG_PRETTY: 'true', ...process.env };
const serviceConfig = loadConfig(baseEnv);

let standIns: LocalStandIns | undefined;
let standInsEnv: NodeJS.ProcessEnv = {};
if (serviceConfig.simulator.embedded) {
  const simulatorConfig = loadSimulatorConfig(baseEnv);
  const logger = pino(loggerOptions({ level: serviceConfig.log.level, pretty: serviceConfig.log.pretty }));
  const simulator = createSimulator(simulatorConfig, { logger: logger.child({ component: 'simulator' }) });
  const url = await simulator.start();
  logger.info({ url }, 'Platform simulator listening');

  // The destinations' stores are the simulator's emulators on loopback: S3 and GCS through the
  // endpoint override, as any S3-compatible store is; ADLS Gen2 through its endpoint override and
  // Entra ID authority host, trusting the emulators' self-signed certificate.
  const storage = simulatorConfig.storage;
  standInsEnv = {
    SIMULATOR_URL: `http://127.0.0.1:${simulatorConfig.port}`,
    ...(storage.embedded
      ? {
          S3_ENDPOINT_URL: `http://${simulatorConfig.host}:${storage.s3Port}`,
          GCS_ENDPOINT_URL: `http://${simulatorConfig.host}:${storage.gcsPort}`,
          ADLS_ENDPOINT_URL: `https://${simulatorConfig.host}:${storage.adlsPort}`,
          AZURE_AUTHORITY_HOST: `https://${simulatorConfig.host}:${storage.entraPort}`,
          AZURE_EXTRA_CA_CERTS: emulatorCertificateFile(storage.directory),
          ALLOW_PRIVATE_STORAGE: 'true',
        }
      : {}),
  };
  const endpoints = simulator.ctx.storage.running ? simulator.ctx.storage.endpoints : undefined;
  standIns = {
    banner: [
      `  Simulator  http://${simulatorConfig.host}:${simulatorConfig.port}`,
      endpoints
        ? `  Storage    Azurite ${endpoints.azure.blobEndpoint}, S3 ${endpoints.s3.endpoint}, GCS ${endpoints.gcs.endpoint}, SFTP sftp://${endpoints.sftp.host}:${endpoints.sftp.port}`
        : '',
      endpoints?.adls ? `  ADLS Gen2  ${endpoints.adls.blobEndpoint} (Entra ID ${endpoints.adls.authorityHost})` : '',
    ].filter((line) => line !== ''),
    close: () => simulator.close(),
  };
}

// Settings the operator gave win over the stand-ins' endpoints.
await runLocalService({ ...standInsEnv, ...baseEnv }, standIns);

// The whole service in one process for local use (`npm start`, through scripts/start-local.ts):
// migrations, a local tenant with a printed API key, the API and a worker. Production runs
// src/server.ts and src/worker.ts as separate processes. The stand-ins (the Platform simulator and
// its storage emulators) are not started here: the product never imports them. The local entry
// starts them first and passes their endpoints in `env`, as an operator would for real Adobe,
// S3 or Azure, plus their banner lines and their close.
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { loadSecretBox } from './crypto/secret-box.js';
import { createDb } from './db/client.js';
import { migrate } from './db/migrate.js';
import { loggerOptions } from './logger.js';
import { createServiceMetrics } from './metrics/service-metrics.js';
import { onShutdown } from './runtime/shutdown.js';
import { startApi } from './server.js';
import { localApiKeyFile, localApiUrlFile, publishLocalApiUrl, readLocalApiKey, withdrawLocalApiUrl, writeLocalApiKey } from './runtime/local-service.js';
import { bootstrapLocalTenant } from './tenants/bootstrap.js';
import { simulatorClientsFromEnv } from './tenants/simulator-clients.js';
import { startWorker } from './worker.js';

/** Sandbox of the local tenant: the simulator serves any name; Adobe's default is "prod". */
const localSandbox = 'prod';

export interface LocalStandIns {
  /** Lines for the start banner (where each stand-in listens). */
  banner: string[];
  close(): Promise<void>;
}

export async function runLocalService(env: NodeJS.ProcessEnv, standIns?: LocalStandIns): Promise<void> {
  const config = loadConfig(env);
  const logger = pino(loggerOptions({ level: config.log.level, pretty: config.log.pretty }));

  const applied = await migrate(config.database.url);
  if (applied.length) logger.info({ applied }, 'database migrated');

  let bootstrapKey: string | undefined;
  if (config.bootstrap.tenant) {
    // The simulator's first OAuth client (SIMULATOR_CLIENTS, or its local default).
    const client = simulatorClientsFromEnv(env)[0];
    if (!client) throw new Error('no simulator client to bind the local tenant to (SIMULATOR_CLIENTS)');
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
    ...(standIns?.banner ?? []),
    bootstrapKey
      ? `  API key    ${bootstrapKey}   (also in ${localApiKeyFile})`
      : '  API key    (the local tenant already has one; set BOOTSTRAP_API_KEY to choose it)',
    '',
  ];
  console.log(banner.join('\n') + '\n');

  onShutdown(logger, async () => {
    await withdrawLocalApiUrl(api.url);
    await api.close();
    await worker.close();
    await standIns?.close();
  });
}

// Where the CLI finds the API and its key: flags first, then the environment, then the files a
// local `npm start` writes (src/runtime/local-service.ts). The CLI's only reader of process.env.
import { discoverLocalService, localApiKeyFile } from '../runtime/local-service.js';

export interface CliConnection {
  url: string;
  key: string;
}

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export async function resolveConnection(flags: { url?: string | undefined; key?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Promise<CliConnection> {
  const { url, key } = await discoverLocalService(flags, env);
  if (!key) throw new CliUsageError(`no API key: pass --key, set AEPJ_API_KEY, or run \`npm start\` once (it writes ${localApiKeyFile})`);
  return { url, key };
}

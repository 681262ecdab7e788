// Where the CLI finds the API and its key: flags first, then the environment, then local files.
// The CLI's only reader of process.env.
import { readFile } from 'node:fs/promises';

export const defaultApiUrl = 'http://127.0.0.1:3000';
/** Written by `npm start` for the local tenant (src/tenants/bootstrap.ts). */
export const localApiKeyPath = 'data/local-api-key';

export interface CliConnection {
  url: string;
  key: string;
}

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export async function resolveConnection(flags: { url?: string | undefined; key?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Promise<CliConnection> {
  const url = flags.url ?? env.AEPJ_URL ?? defaultApiUrl;
  const key = flags.key ?? env.AEPJ_API_KEY ?? (await readFile(localApiKeyPath, 'utf8').then((text) => text.trim(), () => undefined));
  if (!key) throw new CliUsageError(`no API key: pass --key, set AEPJ_API_KEY, or run \`npm start\` once (it writes ${localApiKeyPath})`);
  return { url, key };
}

// How a local `npm start` tells the demos and the CLI where it is: the local tenant's API key and
// the URL the API listens on, in two small files under data/ of the directory it runs in (the key
// readable by its owner only). Clients take, in order: their flags, AEPJ_URL / AEPJ_API_KEY, these
// files, then PORT / HOST, then the default port.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const localApiKeyFile = 'data/local-api-key';
export const localApiUrlFile = 'data/local-api-url';
export const defaultApiUrl = 'http://127.0.0.1:3000';

const readTrimmed = (file: string) => readFile(file, 'utf8').then((text) => text.trim() || undefined, () => undefined);

async function writeLocalFile(file: string, text: string, mode: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${text}\n`, { mode });
}

export const writeLocalApiKey = (key: string) => writeLocalFile(localApiKeyFile, key, 0o600);
export const readLocalApiKey = () => readTrimmed(localApiKeyFile);

const readLocalApiUrl = () => readTrimmed(localApiUrlFile);

/** Written once the API listens, so clients reach this run whatever its PORT. */
export const publishLocalApiUrl = (url: string) => writeLocalFile(localApiUrlFile, url, 0o644);

/** Removed at shutdown, unless another `npm start` has published its own URL since. */
export async function withdrawLocalApiUrl(url: string): Promise<void> {
  if ((await readTrimmed(localApiUrlFile)) === url) await rm(localApiUrlFile, { force: true });
}

export interface LocalServiceTarget {
  url: string;
  key: string | undefined;
  /** Where the URL came from, for messages such as "not ready at …". */
  urlSource: string;
}

export async function discoverLocalService(
  flags: { url?: string | undefined; key?: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<LocalServiceTarget> {
  const key = flags.key ?? env.AEPJ_API_KEY ?? env.BOOTSTRAP_API_KEY ?? (await readLocalApiKey());
  if (flags.url) return { url: flags.url, key, urlSource: '--url' };
  if (env.AEPJ_URL) return { url: env.AEPJ_URL, key, urlSource: 'AEPJ_URL' };
  const published = await readLocalApiUrl();
  if (published) return { url: published, key, urlSource: `${localApiUrlFile}, written by npm start` };
  if (env.PORT) return { url: `http://${env.HOST ?? '127.0.0.1'}:${env.PORT}`, key, urlSource: 'HOST and PORT' };
  return { url: defaultApiUrl, key, urlSource: 'the default' };
}

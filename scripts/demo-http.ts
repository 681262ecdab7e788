// What both demo scripts need to talk to a running `npm start`: a JSON caller with the API key, and
// a wait until the service answers /readyz.
import { setTimeout as sleep } from 'node:timers/promises';

export interface DemoTarget {
  url: string;
  key: string;
  /** Where the URL came from (a flag, the environment, the file npm start writes). */
  urlSource?: string;
}

export function client(target: DemoTarget) {
  return async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, target.url), {
      method,
      headers: { authorization: `Bearer ${target.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
}

export async function waitUntilReady(target: DemoTarget): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if (await fetch(new URL('/readyz', target.url)).then((r) => r.ok, () => false)) return;
    await sleep(1000);
  }
  const from = target.urlSource ? ` (from ${target.urlSource})` : '';
  throw new Error(`the service at ${target.url}${from} is not ready (is \`npm start\` running?)`);
}

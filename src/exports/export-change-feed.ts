// Changes of export rows, pushed by Postgres (LISTEN export_changed; the triggers are in the
// migration 20261203200000_export_change_notify): one listening connection per API process, fanned
// out to every open event stream of the export that changed. The connection opens with the first
// subscriber; when it drops, it is opened again with backoff and every subscriber is told to read
// once, since changes made meanwhile were not heard.
import pg from 'pg';
import type { Logger } from 'pino';

export const exportChangedChannel = 'export_changed';

export interface ExportChangeFeed {
  /** Calls onChange after every change of the export; resolves once changes are being heard. */
  subscribe(exportId: string, onChange: () => void): Promise<() => void>;
  close(): Promise<void>;
}

const maxBackoffMs = 5000;

export function createExportChangeFeed(opts: { databaseUrl: string; logger: Pick<Logger, 'warn'> }): ExportChangeFeed {
  const subscribers = new Map<string, Set<() => void>>();
  let listening: Promise<pg.Client> | undefined;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const notifyAll = () => {
    for (const set of subscribers.values()) for (const onChange of set) onChange();
  };

  function listen(): Promise<pg.Client> {
    listening ??= (async () => {
      const client = new pg.Client({ connectionString: opts.databaseUrl, keepAlive: true });
      const lost = (err?: unknown) => {
        if (listening === undefined) return;
        listening = undefined;
        client.removeAllListeners('notification');
        client.end().catch(() => undefined);
        if (closed) return;
        opts.logger.warn({ err }, 'export change feed lost its connection; listening again');
        scheduleReconnect();
      };
      client.on('notification', (message) => {
        const set = message.payload === undefined ? undefined : subscribers.get(message.payload);
        if (set) for (const onChange of set) onChange();
      });
      client.on('error', lost);
      client.on('end', () => lost());
      try {
        await client.connect();
        await client.query(`LISTEN ${exportChangedChannel}`);
      } catch (error) {
        listening = undefined;
        client.end().catch(() => undefined);
        throw error;
      }
      failures = 0;
      return client;
    })();
    return listening;
  }

  function scheduleReconnect(): void {
    if (closed || retry !== undefined || subscribers.size === 0) return;
    const delay = Math.min(maxBackoffMs, 100 * 2 ** failures++);
    retry = setTimeout(() => {
      retry = undefined;
      listen().then(notifyAll, () => scheduleReconnect());
    }, delay);
    retry.unref();
  }

  return {
    async subscribe(exportId, onChange) {
      let set = subscribers.get(exportId);
      if (!set) subscribers.set(exportId, (set = new Set()));
      set.add(onChange);
      const unsubscribe = () => {
        set.delete(onChange);
        if (set.size === 0 && subscribers.get(exportId) === set) subscribers.delete(exportId);
      };
      try {
        await listen();
      } catch (error) {
        unsubscribe();
        throw error;
      }
      return unsubscribe;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const current = listening;
      listening = undefined;
      subscribers.clear();
      if (current) await current.then((client) => client.end(), () => undefined);
    },
  };
}

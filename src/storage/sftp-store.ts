// SFTP on ssh2-sftp-client, with a password or a private key. One SSH session per store, opened
// on first use and closed by close(). SFTP has no signed URLs: the API streams such files itself.
import SftpClient from 'ssh2-sftp-client';
import { normaliseStoragePath, nullIfNotFound, storagePathUnder, StorageAccessDeniedError, StorageNotFoundError, type ObjectStore, type StoredFile } from './object-store.js';

export interface SftpStoreOptions {
  host: string;
  port: number;
  username: string;
  auth: { kind: 'password'; password: string } | { kind: 'private-key'; privateKey: string };
  /** Connection attempt timeout. */
  readyTimeoutMs?: number;
}

/** ssh2-sftp-client reports errors with these `code`s (its own constants and the SFTP status codes). */
function translate(error: unknown, uri: string): never {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 2 || code === 'ENOENT' || /no such file/i.test(message)) throw new StorageNotFoundError(uri);
  if (code === 3 || /permission denied|authentication/i.test(message)) throw new StorageAccessDeniedError(`${uri}: ${message}`);
  throw error;
}

function hostPart(host: string, port: number): string {
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return port === 22 ? bracketed : `${bracketed}:${port}`;
}

export function openSftpStore(options: SftpStoreOptions): ObjectStore {
  const rootUri = `sftp://${hostPart(options.host, options.port)}/`;
  const uriOf = (path: string) => `${rootUri}${encodeURI(normaliseStoragePath(path))}`;
  const remote = (path: string) => `/${normaliseStoragePath(path)}`.replace(/\/$/, '') || '/';
  let session: Promise<SftpClient> | undefined;

  function connected(): Promise<SftpClient> {
    if (session !== undefined) return session;
    const opened: Promise<SftpClient> = (async () => {
      const client = new SftpClient('aep-distiller-jobs');
      const channel = await client.connect({
        host: options.host,
        port: options.port,
        username: options.username,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        ...(options.auth.kind === 'password' ? { password: options.auth.password } : { privateKey: options.auth.privateKey }),
      });
      // When the server goes away, ssh2 fails the SFTP channel with an 'error' event that
      // ssh2-sftp-client does not listen to (an uncaught exception that ends the process). The
      // calls in flight are rejected on their own; the next call opens a new session.
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (session === opened) session = undefined;
      });
      return client;
    })().catch((error: unknown) => {
      if (session === opened) session = undefined;
      return translate(error, rootUri);
    });
    session = opened;
    return opened;
  }

  async function walk(client: SftpClient, folder: string, files: StoredFile[]): Promise<void> {
    const entries = await client.list(remote(folder));
    for (const entry of entries) {
      const path = folder === '' ? entry.name : `${folder.replace(/\/$/, '')}/${entry.name}`;
      if (entry.type === 'd') await walk(client, path, files);
      else if (entry.type === '-') files.push({ path, uri: uriOf(path), size: entry.size, lastModified: new Date(entry.modifyTime) });
    }
  }

  const store: ObjectStore = {
    protocol: 'sftp',
    rootUri,
    uriOf,
    pathOf(uri) {
      return storagePathUnder(rootUri, uri);
    },

    async list(prefix) {
      const client = await connected();
      const normalised = normaliseStoragePath(prefix);
      // A prefix that is not a folder lists the files of its parent folder that start with it.
      const folder = normalised.endsWith('/') || normalised === '' ? normalised : normalised.slice(0, normalised.lastIndexOf('/') + 1);
      const type = await client.exists(remote(folder));
      if (type !== 'd') return [];
      const files: StoredFile[] = [];
      await walk(client, folder, files).catch((error: unknown) => translate(error, uriOf(prefix)));
      return files.filter((f) => f.path.startsWith(normalised)).sort((a, b) => a.path.localeCompare(b.path));
    },

    async stat(path) {
      const client = await connected();
      const name = normaliseStoragePath(path);
      try {
        const stats = await client.stat(remote(name));
        if (!stats.isFile) return null;
        return { path: name, uri: uriOf(name), size: stats.size, lastModified: new Date(stats.modifyTime) };
      } catch (error) {
        return nullIfNotFound(() => translate(error, uriOf(name)));
      }
    },

    async read(path) {
      const client = await connected();
      const name = normaliseStoragePath(path);
      if ((await store.stat(name)) === null) throw new StorageNotFoundError(uriOf(name));
      const stream = client.createReadStream(remote(name));
      // The handle is closed after the last byte; should the server go away before it answers that
      // CLOSE, the stream fails after its consumer finished and stopped listening. Consumers still
      // see every error through their own listeners; this one only keeps a late one from ending
      // the process.
      stream.on('error', () => undefined);
      return stream;
    },

    async write(path, body) {
      const client = await connected();
      const name = normaliseStoragePath(path);
      const parent = remote(name).slice(0, remote(name).lastIndexOf('/'));
      try {
        if (parent !== '') await client.mkdir(parent, true);
        // Written under a temporary name and renamed, so a reader never sees half a file.
        const partial = `${remote(name)}.${process.pid}.${Date.now()}.inprogress`;
        await client.put(body instanceof Uint8Array ? Buffer.from(body) : body, partial);
        if ((await client.exists(remote(name))) !== false) await client.delete(remote(name));
        await client.rename(partial, remote(name));
      } catch (error) {
        translate(error, uriOf(name));
      }
      const stored = await store.stat(name);
      if (stored === null) throw new StorageNotFoundError(uriOf(name));
      return stored;
    },

    signedReadUrl() {
      return Promise.resolve(null);
    },

    signedWriteUrl() {
      return Promise.resolve(null);
    },

    temporaryAccess() {
      return Promise.resolve(null);
    },

    async close() {
      const pending = session;
      session = undefined;
      if (pending === undefined) return;
      const client = await pending.catch(() => undefined);
      await client?.end().catch(() => undefined);
    },
  };
  return store;
}

// A small SFTP server on the server side of npm `ssh2`: the simulator's stand-in for a customer's
// SFTP host. Each user is jailed in its own folder under the emulator's directory; files are real
// files there, reached only through SFTP by the product and by the simulator's landing. Written
// here because no maintained npm package embeds an SFTP server; ssh2 gives the protocol, this file
// maps its requests onto the file system.
import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, posix, resolve, sep } from 'node:path';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface SftpUser {
  username: string;
  password?: string;
  /** OpenSSH public keys (`ssh-ed25519 AAAA…`) allowed for this user. */
  authorizedKeys?: string[];
}

export interface SftpEmulatorOptions {
  host: string;
  port: number;
  directory: string;
  users: SftpUser[];
}

export interface SftpEmulator {
  host: string;
  port: number;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function attrsOf(s: Stats) {
  return { mode: s.mode, uid: s.uid, gid: s.gid, size: s.size, atime: Math.floor(s.atimeMs / 1000), mtime: Math.floor(s.mtimeMs / 1000) };
}

function longname(name: string, s: Stats): string {
  return `${s.isDirectory() ? 'd' : '-'}rw-r--r-- 1 sim sim ${s.size} Jan 1 00:00 ${name}`;
}

function openFlags(pflags: number): number {
  let flags = 0;
  if (pflags & OPEN_MODE.READ && pflags & OPEN_MODE.WRITE) flags |= constants.O_RDWR;
  else if (pflags & OPEN_MODE.WRITE) flags |= constants.O_WRONLY;
  else flags |= constants.O_RDONLY;
  if (pflags & OPEN_MODE.CREAT) flags |= constants.O_CREAT;
  if (pflags & OPEN_MODE.TRUNC) flags |= constants.O_TRUNC;
  if (pflags & OPEN_MODE.EXCL) flags |= constants.O_EXCL;
  if (pflags & OPEN_MODE.APPEND) flags |= constants.O_APPEND;
  return flags;
}

function statusOf(error: unknown): number {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EEXIST') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

/**
 * One host key per process, made with node:crypto as a SEC1 PEM EC key (ssh2's own ed25519
 * generator now and then emits a key its parser refuses).
 */
let processHostKey: string | undefined;
function hostKeyOfProcess(): string {
  processHostKey ??= generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  return processHostKey;
}

export async function startSftpEmulator(options: SftpEmulatorOptions): Promise<SftpEmulator> {
  const hostKey = hostKeyOfProcess();
  const clients = new Set<ssh2.Connection>();
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    let user: SftpUser | undefined;
    client.on('authentication', (ctx) => {
      const candidate = options.users.find((u) => u.username === ctx.username);
      if (candidate === undefined) return ctx.reject();
      if (ctx.method === 'password' && candidate.password !== undefined && sameSecret(ctx.password, candidate.password)) {
        user = candidate;
        return ctx.accept();
      }
      if (ctx.method === 'publickey') {
        const allowed = (candidate.authorizedKeys ?? []).map((k) => utils.parseKey(k)).filter((k): k is ssh2.ParsedKey => !(k instanceof Error));
        const match = allowed.find((k) => 'getPublicSSH' in k && k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
        if (match === undefined) return ctx.reject();
        if (ctx.signature === undefined) return ctx.accept();
        if (ctx.blob !== undefined && match.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
          user = candidate;
          return ctx.accept();
        }
      }
      return ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        // A client that drops its connection mid-session makes ssh2 fail the open channels with
        // "No response from server"; for a server that is a normal goodbye, not a crash.
        session.on('error', () => undefined);
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          sftp.on('error', () => undefined);
          if (user === undefined) return;
          const jail = resolve(options.directory, user.username);
          const handles = new Map<number, { file?: FileHandle; dir?: { path: string; done: boolean } }>();
          let nextHandle = 1;
          const real = (path: string): string => {
            const absolute = posix.resolve('/', path);
            const target = resolve(jail, `.${absolute}`);
            if (target !== jail && !target.startsWith(jail + sep)) throw Object.assign(new Error('outside'), { code: 'EACCES' });
            return target;
          };
          const handleBuffer = (id: number) => {
            const buffer = Buffer.alloc(4);
            buffer.writeUInt32BE(id);
            return buffer;
          };
          const handleId = (buffer: Buffer) => (buffer.length === 4 ? buffer.readUInt32BE(0) : -1);
          const run = (reqid: number, work: () => Promise<void>) => {
            void mkdir(jail, { recursive: true })
              .then(work)
              .catch((error: unknown) => sftp.status(reqid, statusOf(error)));
          };

          sftp.on('REALPATH', (reqid, path) => {
            const normalised = posix.resolve('/', path);
            sftp.name(reqid, [{ filename: normalised, longname: normalised, attrs: {} as never }]);
          });
          sftp.on('OPEN', (reqid, filename, flags) =>
            run(reqid, async () => {
              const file = await open(real(filename), openFlags(flags), 0o644);
              const id = nextHandle++;
              handles.set(id, { file });
              sftp.handle(reqid, handleBuffer(id));
            }),
          );
          sftp.on('READ', (reqid, handle, offset, length) =>
            run(reqid, async () => {
              const file = handles.get(handleId(handle))?.file;
              if (file === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              const buffer = Buffer.alloc(length);
              const { bytesRead } = await file.read(buffer, 0, length, offset);
              if (bytesRead === 0) return void sftp.status(reqid, STATUS_CODE.EOF);
              sftp.data(reqid, buffer.subarray(0, bytesRead));
            }),
          );
          sftp.on('WRITE', (reqid, handle, offset, data) =>
            run(reqid, async () => {
              const file = handles.get(handleId(handle))?.file;
              if (file === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              await file.write(data, 0, data.length, offset);
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('FSTAT', (reqid, handle) =>
            run(reqid, async () => {
              const file = handles.get(handleId(handle))?.file;
              if (file === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              sftp.attrs(reqid, attrsOf(await file.stat()));
            }),
          );
          sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('CLOSE', (reqid, handle) =>
            run(reqid, async () => {
              const id = handleId(handle);
              const entry = handles.get(id);
              handles.delete(id);
              await entry?.file?.close();
              sftp.status(reqid, entry === undefined ? STATUS_CODE.FAILURE : STATUS_CODE.OK);
            }),
          );
          const statPath = (reqid: number, path: string) =>
            run(reqid, async () => {
              sftp.attrs(reqid, attrsOf(await stat(real(path))));
            });
          sftp.on('STAT', statPath);
          sftp.on('LSTAT', statPath);
          sftp.on('OPENDIR', (reqid, path) =>
            run(reqid, async () => {
              const s = await stat(real(path));
              if (!s.isDirectory()) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              const id = nextHandle++;
              handles.set(id, { dir: { path: real(path), done: false } });
              sftp.handle(reqid, handleBuffer(id));
            }),
          );
          sftp.on('READDIR', (reqid, handle) =>
            run(reqid, async () => {
              const dir = handles.get(handleId(handle))?.dir;
              if (dir === undefined) return void sftp.status(reqid, STATUS_CODE.FAILURE);
              if (dir.done) return void sftp.status(reqid, STATUS_CODE.EOF);
              dir.done = true;
              const names = (await readdir(dir.path)).filter((n) => !n.endsWith('.inprogress-sim'));
              const entries = await Promise.all(
                names.map(async (name) => {
                  const s = await stat(join(dir.path, name));
                  return { filename: name, longname: longname(name, s), attrs: attrsOf(s) };
                }),
              );
              if (entries.length === 0) return void sftp.status(reqid, STATUS_CODE.EOF);
              sftp.name(reqid, entries);
            }),
          );
          sftp.on('MKDIR', (reqid, path) =>
            run(reqid, async () => {
              await mkdir(real(path));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('RMDIR', (reqid, path) =>
            run(reqid, async () => {
              await rmdir(real(path));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('REMOVE', (reqid, path) =>
            run(reqid, async () => {
              await rm(real(path));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('RENAME', (reqid, from, to) =>
            run(reqid, async () => {
              await rename(real(from), real(to));
              sftp.status(reqid, STATUS_CODE.OK);
            }),
          );
          sftp.on('end', () => {
            for (const entry of handles.values()) void entry.file?.close();
            handles.clear();
          });
        });
      });
    });
    client.on('error', () => undefined);
  });
  await mkdir(options.directory, { recursive: true });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => done());
  });
  const address = server.address() as AddressInfo;
  return {
    host: options.host,
    port: address.port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const client of clients) client.end();
      }),
  };
}

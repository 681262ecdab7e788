// A Postgres cluster of the test's own (initdb in a temp dir, trust auth, a free port, its unix
// socket in that dir), so a scenario can restart it under running processes without touching
// the machine's shared server. initdb and pg_ctl refuse to run as root: as root they run as the
// `postgres` user on a directory it owns. The cluster is stopped and deleted by stop(), and also
// when the test process exits without calling it.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface PrivatePostgres {
  readonly port: number;
  /** `postgresql://postgres@127.0.0.1:<port>/<database>` */
  urlFor(database: string): string;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server is back when this resolves. */
  restart(): Promise<void>;
  /** Stops the cluster at once and deletes its directory (idempotent). */
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl: the newest Debian-style install, else `pg_config --bindir`. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'chaos-pg-'));
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const port = await freePort();
  /** [file, args] of a Postgres tool, run as `postgres` when we are root. */
  const tool = (name: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  const pgCtl = async (args: string[]): Promise<void> => {
    const [file, argv] = tool('pg_ctl', ['-D', dataDir, ...args]);
    try {
      await run(file, argv, { timeout: 60_000 });
    } catch (error) {
      const serverLog = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`pg_ctl ${args.join(' ')} failed: ${(error as Error).message}\n${serverLog.slice(-3000)}`, { cause: error });
    }
  };

  let stopped = false;
  const stopNow = (): void => {
    if (stopped) return;
    stopped = true;
    const [file, argv] = tool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // not running
    }
    execFileSync('rm', ['-rf', dir]);
  };
  // A test that dies without its `after` hook must not leave a server behind.
  process.once('exit', stopNow);

  const [initdb, initArgs] = tool('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  await run(initdb, initArgs, { timeout: 120_000 });
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=200',
    // Durability is not under test here (a restart is a clean shutdown); speed is welcome.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
  await pgCtl(['-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);

  return {
    port,
    urlFor: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async restart() {
      await pgCtl(['-l', logFile, '-m', 'fast', '-w', '-t', '60', 'restart']);
    },
    async stop() {
      process.off('exit', stopNow);
      if (stopped) return;
      stopped = true;
      await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

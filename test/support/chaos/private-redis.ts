// A Redis server of the test's own, as a child process on a free port, without persistence: it
// can be SIGKILLed and started again empty on the same port (the "Redis lost its data" fault)
// without touching the machine's shared Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILLs the server: every key is gone, clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port (after kill). */
  start(): Promise<void>;
  /** Number of keys in the server right now. */
  keyCount(): Promise<number>;
  /** Kills the server for good (idempotent; used by `after` hooks). */
  stop(): Promise<void>;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not listening yet
    } finally {
      probe.disconnect();
    }
    if (Date.now() > until) throw new Error(`private redis at ${url} did not answer within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async (): Promise<void> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-4000)));
    proc.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-4000)));
    child = proc;
    try {
      await waitForPing(url, 10_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    url,
    port,
    kill,
    start: launch,
    async keyCount() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        return await client.dbsize();
      } finally {
        client.disconnect();
      }
    },
    stop: kill,
  };
}

// Runs the service's processes as real child processes (`node --import tsx src/worker.ts`, and
// src/server.ts) for end-to-end and crash tests: start with an environment, wait until ready,
// SIGKILL, restart. Node runs the entry itself (not through the tsx CLI, which would put a parent
// process in between), so a kill reaches the service and its exit signal is seen here. Output is
// kept so a failing test can show what the process said.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './chaos/free-port.js';

const repoUrl = new URL('../../', import.meta.url);
const repoRoot = fileURLToPath(repoUrl);

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first line matching `pattern` (already written or future). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process has exited, with its code or signal. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown hooks, no flushing, like a crash or an OOM kill. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<void>;
}

/** tsx's loader by absolute URL, so a process started in another working directory finds it too. */
const tsxLoader = import.meta.resolve('tsx');

/**
 * Extra node flags for the processes a benchmark starts deep inside its world, by service name:
 * BENCH_NODE_ARGS='{"worker":["--cpu-prof","--cpu-prof-dir=…"]}' (a profile is written when the
 * process exits gracefully, so the benchmark stops it with SIGTERM, not SIGKILL).
 */
function extraNodeArgs(name: string): string[] {
  const spec = process.env.BENCH_NODE_ARGS;
  if (spec === undefined || spec === '') return [];
  const args = (JSON.parse(spec) as Record<string, unknown>)[name];
  return Array.isArray(args) ? args.map(String) : [];
}

/**
 * `nodeArgs` go before the entry (e.g. --cpu-prof, which NODE_OPTIONS refuses). `cwd` runs the
 * process from another working directory (default the repository), as a separately deployed
 * process would be.
 */
export function spawnService(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = [], cwd = repoRoot): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, ...extraNodeArgs(name), '--import', tsxLoader, fileURLToPath(new URL(entry, repoUrl))], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const lineWaiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const wake of lineWaiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));

  const handle: ServiceProcess = {
    name,
    child,
    output: () => text,
    // A hang guard, not a timing check: a busy 2-core machine can take tens of seconds to start tsx.
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = text.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            done();
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        const onExit = (): void => {
          done();
          reject(new Error(`${name} exited before printing ${pattern}; output:\n${text}`));
        };
        const done = (): void => {
          clearTimeout(timer);
          lineWaiters.delete(check);
          child.off('exit', onExit);
        };
        lineWaiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    exited: () => exit,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
  return handle;
}

/** Waits for readiness; a process that never gets ready is killed, not left behind. */
async function readyOrKilled(service: ServiceProcess, ready: Promise<unknown>): Promise<void> {
  try {
    await ready;
  } catch (error) {
    await service.kill9();
    throw error;
  }
}

/** Below info the processes print no readiness line; they are then probed over HTTP instead. */
function logsReadiness(env: Record<string, string>): boolean {
  return ['info', 'debug', 'trace', undefined].includes(env.LOG_LEVEL);
}

/** Resolves once GET `url` answers 200; fails when the process exits first or after timeoutMs. */
async function waitForHttpOk(service: ServiceProcess, url: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) throw new Error(`${service.name} exited before ${url} answered; output:\n${service.output()}`);
    // A worker whose metrics port was taken meanwhile answers nothing of its own there.
    if (service.output().includes('worker metrics port unavailable')) throw new Error(`${service.name}: its metrics port was taken; output:\n${service.output()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`${service.name}: ${url} did not answer 200 within ${timeoutMs} ms; output:\n${service.output()}`);
    await sleep(50);
  }
}

/** src/worker.ts, ready once it logged "export worker ready" (or, with quiet logs, its /healthz answers). */
export async function startWorkerProcess(env: Record<string, string>, name = 'worker', cwd?: string): Promise<ServiceProcess> {
  const merged: Record<string, string> = { LOG_LEVEL: 'info', ...env };
  if (logsReadiness(merged)) {
    const worker = spawnService(name, 'src/worker.ts', merged, [], cwd);
    await readyOrKilled(worker, worker.waitForLine(/export worker ready/));
    return worker;
  }
  const port = merged.WORKER_METRICS_PORT !== undefined && merged.WORKER_METRICS_PORT !== '0' ? merged.WORKER_METRICS_PORT : String(await freePort());
  const worker = spawnService(name, 'src/worker.ts', { ...merged, WORKER_METRICS_PORT: port }, [], cwd);
  await readyOrKilled(worker, waitForHttpOk(worker, `http://127.0.0.1:${port}/healthz`, 60_000));
  return worker;
}

/** src/server.ts on a free port; resolves with its base URL once it listens. */
export async function startApiProcess(
  env: Record<string, string>,
  name = 'api',
  nodeArgs: string[] = [],
  options: {
    /** The process's working directory (default: the repository). */
    cwd?: string;
    /** How long it may take to listen (a scenario starting hundreds of processes on a busy machine waits longer). */
    readyTimeoutMs?: number;
  } = {},
): Promise<{ process: ServiceProcess; url: string }> {
  // A hang guard like waitForLine's: a busy machine can take tens of seconds to start tsx.
  const { cwd, readyTimeoutMs = 60_000 } = options;
  const merged: Record<string, string> = { LOG_LEVEL: 'info', PORT: '0', ...env };
  if (!logsReadiness(merged)) {
    const url = `http://127.0.0.1:${merged.PORT === '0' ? await freePort() : merged.PORT}`;
    const api = spawnService(name, 'src/server.ts', { ...merged, PORT: new URL(url).port }, nodeArgs, cwd);
    await readyOrKilled(api, waitForHttpOk(api, `${url}/healthz`, Math.max(60_000, readyTimeoutMs)));
    return { process: api, url };
  }
  const api = spawnService(name, 'src/server.ts', merged, nodeArgs, cwd);
  const listening = api.waitForLine(/Server listening at http:\/\/127\.0\.0\.1:\d+/, readyTimeoutMs);
  await readyOrKilled(api, listening);
  const line = await listening;
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`api: no URL in ${line}`);
  return { process: api, url };
}

export interface FinishedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously: an API in this process keeps answering), keeping stdout and stderr apart. */
export function runToEnd(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<FinishedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A TypeScript entry of this repository run with tsx (resolved here, so `cwd` needs no node_modules). */
export function runTsToEnd(entry: string, args: string[], options: { cwd?: string; env: Record<string, string> }): Promise<FinishedRun> {
  return runToEnd(process.execPath, ['--import', tsxLoader, resolvePath(repoRoot, entry), ...args], { cwd: options.cwd ?? repoRoot, env: options.env });
}

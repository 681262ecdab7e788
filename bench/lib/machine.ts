// What the benchmark ran on: CPU, memory, and the versions of everything in the request path.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import { adminDatabaseUrl } from '../../test/support/database.js';

const run = promisify(execFile);

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  redis: string;
  packages: Record<string, string>;
}

const trackedPackages = ['fastify', 'bullmq', 'ioredis', '@prisma/client', '@prisma/adapter-pg', 'pg', 'undici', 'zod', 'autocannon'];

async function packageVersion(name: string): Promise<string> {
  try {
    const text = await readFile(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8');
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

let cached: MachineFacts | undefined;

export async function machineFacts(): Promise<MachineFacts> {
  if (cached) return cached;
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  const postgres = await client.query<{ server_version: string }>('SHOW server_version').then((r) => r.rows[0]?.server_version ?? 'unknown');
  await client.end();
  const redis = await run('redis-server', ['--version']).then(
    (r) => /v=(\S+)/.exec(r.stdout)?.[1] ?? 'unknown',
    () => 'unknown',
  );
  const packages: Record<string, string> = {};
  for (const name of trackedPackages) packages[name] = await packageVersion(name);
  cached = {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    redis,
    packages,
  };
  return cached;
}

#!/usr/bin/env node
// `prisma generate` never runs the schema engine, but the CLI refuses to start without one and
// tries to download it. Point it at any existing file when none is configured, so generate works
// offline (CI, fresh clones). `prisma migrate` still needs the real engine (see README).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);

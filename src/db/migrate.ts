// Applies prisma/migrations/*/migration.sql in order, recording them in `_prisma_migrations`
// exactly as `prisma migrate deploy` does, so either tool can take over a database. Creates the
// database first when it does not exist (fresh machines, tests).
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const migrationsDir = new URL('../../prisma/migrations/', import.meta.url);

/** Prisma's own advisory lock id, so we never race a concurrent `prisma migrate deploy`. */
const prismaAdvisoryLock = 72707369;

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir: URL = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(fileURLToPath(dir), name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.slice(1));
  if (!dbName) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${dbName.replaceAll('"', '""')}"`).catch((err: unknown) => {
        // Another process created it between our check and our create.
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/** Applies pending migrations; returns the names applied now. Refuses edited or failed ones. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const migrations = await readMigrations();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [prismaAdvisoryLock]);
    await client.query(createMigrationsTable);
    const applied = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const done = new Map(applied.rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    const appliedNow: string[] = [];
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous) {
        if (previous.finished_at === null) throw new Error(`migration ${m.name} failed earlier; resolve it before continuing`);
        if (previous.checksum !== m.checksum) throw new Error(`migration ${m.name} was edited after it was applied`);
        continue;
      }
      const id = randomUUID();
      await client.query('BEGIN');
      try {
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      appliedNow.push(m.name);
    }
    return appliedNow;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [prismaAdvisoryLock]).catch(() => undefined);
    await client.end();
  }
}

/** Migrations on disk that the database has not finished applying (readiness check). */
export async function pendingMigrations(appliedNames: readonly string[]): Promise<string[]> {
  const applied = new Set(appliedNames);
  return (await readMigrations()).map((m) => m.name).filter((n) => !applied.has(n));
}

// A fresh, migrated Postgres database per test file, dropped afterwards. Tests never share state.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

export const adminDatabaseUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'svc'): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9]/g, '')}_${randomBytes(5).toString('hex')}`;
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const db = createDb(url.toString(), 5);
  return {
    url: url.toString(),
    name,
    db,
    async drop() {
      await db.$disconnect();
      const admin = new pg.Client({ connectionString: adminDatabaseUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { migrate, readMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase('migrate');
});
after(async () => {
  await t.drop();
});

test('migrations are recorded as prisma migrate deploy records them, and re-running applies nothing', async () => {
  const onDisk = await readMigrations();
  assert.ok(onDisk.length > 0);
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  try {
    const rows = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    assert.deepEqual(
      rows.rows.map((r) => [r.migration_name, r.checksum]),
      onDisk.map((m) => [m.name, m.checksum]),
    );
    assert.ok(rows.rows.every((r) => r.finished_at instanceof Date && r.applied_steps_count === 1));
  } finally {
    await client.end();
  }
  assert.deepEqual(await migrate(t.url), []);
});

test('concurrent migrators serialise on the advisory lock', async () => {
  const other = await createTestDatabase('migrate2');
  try {
    const results = await Promise.all([migrate(other.url), migrate(other.url), migrate(other.url)]);
    assert.deepEqual(results.flat(), []);
  } finally {
    await other.drop();
  }
});

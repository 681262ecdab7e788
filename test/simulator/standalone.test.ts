// `npm run simulator`: the standalone entry starts on the configured port, answers, and exits
// cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import pg from 'pg';
import { loadSimulatorConfig } from '../../packages/stand-ins/src/simulator/config.js';

test('the simulator alone (packages/stand-ins/src/simulator/main.ts) listens, serves health, and exits 0 on SIGTERM', async () => {
  const { databaseUrl } = loadSimulatorConfig();
  const schema = `sim_test_${randomBytes(6).toString('hex')}`;
  const landing = await mkdtemp(join(tmpdir(), 'sim-standalone-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/stand-ins/src/simulator/main.ts'], {
    // A minimal explicit environment: the child must not depend on anything else.
    env: { SIMULATOR_PORT: '0', SIMULATOR_AZURITE_PORT: '0', SIMULATOR_S3_PORT: '0', SIMULATOR_GCS_PORT: '0', SIMULATOR_SFTP_PORT: '0', SIMULATOR_ADLS_PORT: '0', SIMULATOR_ENTRA_PORT: '0', SIMULATOR_QUERY_PORT: '0', SIMULATOR_STORAGE_DIR: join(landing, 'emulators'), SIMULATOR_DB_SCHEMA: schema, SIMULATOR_DATABASE_URL: databaseUrl, LANDING_ZONE_DIR: landing },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url !== undefined) resolve(entry.url);
      });
      child.once('exit', (code) => reject(new Error(`simulator exited early with ${String(code)}`)));
    });
    const health = await fetch(`${url}/simulator/admin/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', schema, profile: 'fast' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    await rm(landing, { recursive: true, force: true });
  }
});

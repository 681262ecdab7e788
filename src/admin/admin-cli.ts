#!/usr/bin/env node
// The operator's command for a new deployment, run next to the database (there is no API key yet):
//   admin bootstrap [--tenant <name>] [--issue-another]
// Creates the operator tenant (default "operator", bound to the Platform simulator's client: it
// exists to hold admin keys; real tenants come from POST /admin/tenants with their own Adobe
// credential) and its first admin key, once. The new key goes to stdout alone (scripts can capture
// it); messages go to stderr. Run again, it creates nothing and exits 0. With BOOTSTRAP_API_KEY set
// it installs that key instead (idempotently), so the key never appears in any log.
// --issue-another issues one more admin key even if one exists (a lost key; revoke the old one).
// Exit codes: 0 done, 2 usage, 1 anything else (e.g. the database is not migrated yet).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { loadSecretBox } from '../crypto/secret-box.js';
import { createDb } from '../db/client.js';
import { isMain } from '../runtime/is-main.js';
import { bootstrapTenant } from '../tenants/bootstrap.js';
import { simulatorClientsFromEnv } from '../tenants/simulator-clients.js';

export const operatorTenantName = 'operator';
const usage = 'usage: admin bootstrap [--tenant <name>] [--issue-another]';

export async function runAdminCli(argv: string[], env: NodeJS.ProcessEnv = process.env, io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { tenant: { type: 'string' }, 'issue-another': { type: 'boolean', default: false } } });
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  if (parsed.positionals.join(' ') !== 'bootstrap') {
    io.stderr.write(`${usage}\n`);
    return 2;
  }
  const name = parsed.values.tenant ?? operatorTenantName;
  const config = loadConfig(env);
  const client = simulatorClientsFromEnv(env)[0];
  if (!client) throw new Error('no simulator client to bind the operator tenant to (SIMULATOR_CLIENTS)');
  const db = createDb(config.database.url, 1);
  try {
    const result = await bootstrapTenant(db, loadSecretBox(config.secrets), name, { ...client, sandbox: 'prod' }, config.bootstrap.apiKey, {
      issueAnother: parsed.values['issue-another'],
    });
    if (config.bootstrap.apiKey) {
      io.stderr.write(`tenant ${name} (${result.tenantId}) has the admin key from BOOTSTRAP_API_KEY\n`);
    } else if (result.apiKey) {
      io.stderr.write(`tenant ${name} (${result.tenantId}): a new admin key, shown once (only its hash is stored):\n`);
      io.stdout.write(`${result.apiKey}\n`);
    } else {
      io.stderr.write(
        `tenant ${name} (${result.tenantId}) already has admin key aepj_${result.existingKeyPrefix ?? '?'}_…; nothing created (lost it? run with --issue-another, then revoke the old one)\n`,
      );
    }
    return 0;
  } finally {
    await db.$disconnect();
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runAdminCli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`admin bootstrap failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  });
}

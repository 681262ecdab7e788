// `npm run secrets:rotate [-- --dry-run] [--batch-size N] [--max N]`: re-seals every sealed value with
// the first key of SECRETS_KEYS (see docs/security.md, "Rotating the secrets key"). Prints a JSON
// report (counts and row ids, never values); exits 1 when a value could not be opened, 2 when
// --max stopped it early (run it again to finish).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { loadSecretBox } from '../src/crypto/secret-box.js';
import { createDb } from '../src/db/client.js';
import { isMain } from '../src/runtime/is-main.js';
import { rotateSealedSecrets, type RotationReport } from '../src/security/rotate-sealed-secrets.js';

export async function runRotation(argv: string[], env?: NodeJS.ProcessEnv): Promise<{ report: RotationReport; exitCode: number }> {
  const { values } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean', default: false }, 'batch-size': { type: 'string' }, max: { type: 'string' } },
  });
  const config = loadConfig(env);
  const secrets = loadSecretBox(config.secrets);
  const db = createDb(config.database.url, 2);
  try {
    const report = await rotateSealedSecrets(db, secrets, {
      dryRun: values['dry-run'],
      ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
      ...(values.max ? { maxValues: Number(values.max) } : {}),
    });
    const unopenable = Object.values(report.columns).some((c) => c.unopenable.length > 0);
    return { report, exitCode: unopenable ? 1 : report.stoppedEarly ? 2 : 0 };
  } finally {
    await db.$disconnect();
  }
}

if (isMain(import.meta.url)) {
  const { report, exitCode } = await runRotation(process.argv.slice(2));
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = exitCode;
}

// Secrets key rotation: values sealed under key A, the keyring changed to "B,A", the rotation run
// (interrupted once, then resumed through the CLI), and afterwards key B alone opens everything
// while key A alone opens nothing. A rerun changes nothing; a value no key opens is reported.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runRotation } from '../../scripts/rotate-secrets-key.js';
import { createSecretBox, parseKeyring, type SecretBox } from '../../src/crypto/secret-box.js';
import { rotateSealedSecrets } from '../../src/security/rotate-sealed-secrets.js';
import { sealedColumns } from '../../src/security/sealed-columns.js';
import { createTenant } from '../../src/tenants/tenant-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const keyA = `a:${randomBytes(32).toString('base64')}`;
const keyB = `b:${randomBytes(32).toString('base64')}`;
const keyC = `c:${randomBytes(32).toString('base64')}`;
const boxA = createSecretBox(parseKeyring(keyA));
const boxB = createSecretBox(parseKeyring(keyB));
const boxBA = createSecretBox(parseKeyring(`${keyB},${keyA}`));

let database: TestDatabase;
/** Every sealed value's plaintext, by where it lives. */
const plaintexts = new Map<string, string>();

async function sealedValues(): Promise<Map<string, string>> {
  const db = database.db;
  const out = new Map<string, string>();
  for (const t of await db.tenant.findMany()) if (t.clientSecretSealed) out.set(`tenant:${t.id}`, t.clientSecretSealed);
  for (const d of await db.destination.findMany()) if (d.credentialsSealed) out.set(`destination:${d.id}`, d.credentialsSealed);
  for (const k of await db.idempotencyKey.findMany()) if (typeof k.responseBody === 'string') out.set(`idempotency:${k.tenantId}/${k.key}`, k.responseBody);
  return out;
}

function opensAll(box: SecretBox, values: Map<string, string>): boolean[] {
  return [...values.entries()].map(([where, sealed]) => {
    try {
      return box.open(sealed) === plaintexts.get(where);
    } catch {
      return false;
    }
  });
}

before(async () => {
  database = await createTestDatabase('rotate');
  const db = database.db;
  for (let i = 0; i < 5; i++) {
    const secret = `fake-client-secret-${i}-${randomUUID()}`;
    const tenant = await createTenant(db, {
      name: `rot-${i}`,
      platformTarget: 'simulator',
      imsOrgId: 'FAKEORG@AdobeOrg',
      sandboxName: 'prod',
      clientId: 'fake-client',
      clientSecretSealed: boxA.seal(secret),
      scopes: 'openid',
      allowSensitiveLabels: false,
    });
    plaintexts.set(`tenant:${tenant.id}`, secret);
    const credentials = JSON.stringify({ authType: 'password', username: 'fake', password: `fake-password-${i}` });
    const destination = await db.destination.create({
      data: { id: randomUUID(), tenantId: tenant.id, name: `d${i}`, type: 'sftp', params: { domain: 'sftp.example.com' }, credentialsSealed: boxA.seal(credentials) },
    });
    plaintexts.set(`destination:${destination.id}`, credentials);
    // A destination without credentials has nothing to rotate.
    await db.destination.create({ data: { id: randomUUID(), tenantId: tenant.id, name: `dlz${i}`, type: 'dlz', params: {}, credentialsSealed: null } });
    const answer = JSON.stringify({ key: `aepj_fakefakefake_${i}`, note: 'a stored Idempotency-Key answer' });
    const key = `idem-${i}`;
    await db.idempotencyKey.create({
      data: { tenantId: tenant.id, key, method: 'POST', path: '/x', bodyHash: 'h', state: 'done', statusCode: 201, responseBody: boxA.seal(answer), headers: {}, expiresAt: new Date(Date.now() + 86_400_000) },
    });
    plaintexts.set(`idempotency:${tenant.id}/${key}`, answer);
  }
});
after(async () => {
  await database.drop();
});

describe('rotating the secrets key', () => {
  test('seal under A, rotate with B,A (interrupted, then resumed), then only B opens everything', async () => {
    const before = await sealedValues();
    assert.equal(before.size, 15);
    assert.ok(opensAll(boxA, before).every(Boolean), 'A opens everything before');
    assert.ok(opensAll(boxB, before).every((ok) => !ok), 'B opens nothing before');

    // A first run stopped after 4 values, as if interrupted.
    const partial = await rotateSealedSecrets(database.db, boxBA, { batchSize: 2, maxValues: 4 });
    assert.equal(partial.stoppedEarly, true);
    const midway = await sealedValues();
    assert.equal([...midway.values()].filter((v) => boxBA.keyIdOf(v) === 'b').length, 4);
    assert.ok(opensAll(boxBA, midway).every(Boolean), 'the service keeps working midway with B,A');

    // The CLI resumes and finishes.
    const env = { DATABASE_URL: database.url, SECRETS_KEYS: `${keyB},${keyA}`, LOG_LEVEL: 'silent' };
    const { report, exitCode } = await runRotation(['--batch-size', '3'], env);
    assert.equal(exitCode, 0);
    assert.equal(report.activeKeyId, 'b');
    assert.equal(Object.values(report.columns).reduce((n, c) => n + c.resealed, 0), 11);

    const afterRotation = await sealedValues();
    assert.ok(opensAll(boxB, afterRotation).every(Boolean), 'B alone opens everything');
    assert.ok(opensAll(boxA, afterRotation).every((ok) => !ok), 'A alone opens nothing');
    assert.deepEqual([...afterRotation.keys()].sort(), [...before.keys()].sort());
  });

  test('a rerun is a no-op (idempotent), also through the npm script entry point', async () => {
    const before = await sealedValues();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/rotate-secrets-key.ts', '--batch-size', '2'], {
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, SECRETS_KEYS: `${keyB},${keyA}`, LOG_LEVEL: 'silent' },
    });
    const report = JSON.parse(stdout) as { columns: Record<string, { found: number; resealed: number }> };
    assert.deepEqual(Object.keys(report.columns).sort(), sealedColumns.map((c) => c.name).sort());
    for (const counts of Object.values(report.columns)) assert.deepEqual([counts.found, counts.resealed], [0, 0]);
    assert.deepEqual(await sealedValues(), before, 'nothing changed');
  });

  test('a value no key of the ring opens is reported by row id and left alone; a stale compare-and-swap writes nothing', async () => {
    const stranger = createSecretBox(parseKeyring(keyC)).seal('fake-secret-under-an-unknown-key');
    const tenant = await createTenant(database.db, {
      name: 'rot-unknown-key',
      platformTarget: 'simulator',
      imsOrgId: 'FAKEORG@AdobeOrg',
      sandboxName: 'prod',
      clientId: 'fake-client',
      clientSecretSealed: stranger,
      scopes: 'openid',
      allowSensitiveLabels: false,
    });
    const { report, exitCode } = await runRotation([], { DATABASE_URL: database.url, SECRETS_KEYS: `${keyB},${keyA}`, LOG_LEVEL: 'silent' });
    assert.equal(exitCode, 1);
    assert.deepEqual(report.columns['tenants.client_secret_sealed']?.unopenable, [tenant.id]);
    assert.ok(!JSON.stringify(report).includes(stranger), 'the report names rows, not values');
    assert.equal((await database.db.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).clientSecretSealed, stranger);

    const column = sealedColumns[0]!;
    const swapped = await column.replace(database.db, { cursor: tenant.id, id: tenant.id, sealed: stranger }, 'not-the-current-value', 'x');
    assert.equal(swapped, false);
    assert.equal((await database.db.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).clientSecretSealed, stranger);
  });
});

// Canary secrets (R18): recognisable fake secrets are seeded through the API (a Platform client
// secret, every destination credential, an API key), then create, list, get, error and failing
// Platform paths are exercised. Every log line (pino at trace), every response body, every Redis
// key and value under the test's prefix and every Postgres row are scanned: the secrets occur
// nowhere, except the new API key in the one answer that issues it, and sealed values in Postgres.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type HttpCall, type TestApi } from '../support/api.js';

const tag = randomUUID().replaceAll('-', '').slice(0, 12);
/** Each canary is fake, unique to this run, and matches the field's format. */
const canaries = {
  clientSecret: `CANARYclientsecret${tag}`,
  s3SecretKey: `CANARYs3secret${tag}`.padEnd(40, 'Q'),
  azureAccountKey: `CANARYazurekey${tag}`,
  adlsKey: `CANARYadlskey${tag}`,
  gcsSecret: `CANARYgcssecret${tag}`.padEnd(40, 'G'),
  sftpPassword: `CANARYsftppassword${tag}`,
  sshKey: Buffer.from(`-----BEGIN FAKE KEY----- CANARYsshkey${tag} -----END FAKE KEY-----`).toString('base64'),
};

let api: TestApi;
const logLines: string[] = [];
/** Every response body the test saw, with what produced it. */
const responses: { what: string; body: string; headers: string }[] = [];
let canaryApiKey = '';
let canarySecretPart = '';
let issuingResponses = new Set<string>();

const logStream = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    logLines.push(chunk.toString('utf8'));
    callback();
  },
});

async function call(key: string | null, c: HttpCall): Promise<LightMyRequestResponse> {
  const res = await api.call(key, c);
  responses.push({ what: `${c.method ?? 'GET'} ${c.url} -> ${res.statusCode}`, body: res.body, headers: JSON.stringify(res.headers) });
  return res;
}

function destinationBodies() {
  return [
    { ...fakeDestinationBodies.s3, credentials: { ...fakeDestinationBodies.s3.credentials, s3SecretKey: canaries.s3SecretKey } },
    { ...fakeDestinationBodies['azure-blob'], credentials: { connectionString: `DefaultEndpointsProtocol=https;AccountName=fakeaccount;AccountKey=${canaries.azureAccountKey};EndpointSuffix=core.windows.net` } },
    { ...fakeDestinationBodies['adls-gen2'], credentials: { ...fakeDestinationBodies['adls-gen2'].credentials, servicePrincipalKey: canaries.adlsKey } },
    { ...fakeDestinationBodies.gcs, credentials: { ...fakeDestinationBodies.gcs.credentials, secretAccessKey: canaries.gcsSecret } },
    { ...fakeDestinationBodies.sftp, credentials: { authType: 'password', username: 'fake-user', password: canaries.sftpPassword } },
    { ...fakeDestinationBodies.sftp, name: 'sftp key', credentials: { authType: 'ssh-key', username: 'fake-user', sshKey: canaries.sshKey } },
  ];
}

before(async () => {
  api = await startTestApi({ logStream });
  const datasetId = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0).find((d) => d.key === 'experience-events')?.id ?? '';

  // A tenant whose client secret is the canary (the simulator rejects it: a failing Platform call).
  const created = await call(api.keys.adminA, {
    method: 'POST',
    url: '/admin/tenants',
    headers: { 'idempotency-key': `canary-tenant-${tag}` },
    body: {
      name: `canary-${tag}`,
      platform: { target: 'simulator', imsOrgId: api.simulator.orgId, sandbox: 'prod', clientId: api.simulator.clientId, clientSecret: canaries.clientSecret },
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const { apiKey, tenant } = bodyOf<{ apiKey: { id: string; key: string }; tenant: { id: string } }>(created);
  canaryApiKey = apiKey.key;
  canarySecretPart = apiKey.key.split('_').slice(2).join('_');
  issuingResponses = new Set([created.body]);
  // The idempotent replay hands the key out again, by design.
  const replayed = await call(api.keys.adminA, {
    method: 'POST',
    url: '/admin/tenants',
    headers: { 'idempotency-key': `canary-tenant-${tag}` },
    body: {
      name: `canary-${tag}`,
      platform: { target: 'simulator', imsOrgId: api.simulator.orgId, sandbox: 'prod', clientId: api.simulator.clientId, clientSecret: canaries.clientSecret },
    },
  });
  assert.equal(replayed.body, created.body);
  issuingResponses.add(replayed.body);

  // The canary tenant: reads, and Platform calls that fail on its secret.
  await call(canaryApiKey, { method: 'GET', url: '/tenant' });
  await call(canaryApiKey, { method: 'GET', url: '/datasets?limit=5' });
  await call(canaryApiKey, { method: 'GET', url: `/datasets/${datasetId}` });

  // Destinations with canary credentials, for the canary tenant and for tenant A.
  const destinationIds: string[] = [];
  for (const key of [canaryApiKey, api.keys.tenantA]) {
    for (const body of destinationBodies()) {
      const res = await call(key, { method: 'POST', url: '/destinations', body, headers: { 'idempotency-key': randomUUID() } });
      assert.equal(res.statusCode, 201, res.body);
      destinationIds.push(bodyOf<{ id: string }>(res).id);
      await call(key, { method: 'GET', url: `/destinations/${bodyOf<{ id: string }>(res).id}` });
    }
    await call(key, { method: 'GET', url: '/destinations?limit=100' });
  }

  // Error paths carrying the canaries: bad formats, unknown fields, malformed JSON, wrong keys.
  const s3 = fakeDestinationBodies.s3;
  await call(api.keys.tenantA, { method: 'POST', url: '/destinations', body: { ...s3, credentials: { ...s3.credentials, s3SecretKey: `${canaries.s3SecretKey}!` } } });
  await call(api.keys.tenantA, { method: 'POST', url: '/destinations', body: { ...s3, params: { bucketName: 'NOT A BUCKET' }, credentials: { ...s3.credentials, s3SecretKey: canaries.s3SecretKey } } });
  await call(api.keys.tenantA, { method: 'POST', url: '/destinations', body: { ...s3, password: canaries.sftpPassword } });
  await call(api.keys.tenantA, { method: 'POST', url: '/destinations', body: { ...fakeDestinationBodies.sftp, credentials: { authType: 'ssh-key', username: 'u', sshKey: `${canaries.sftpPassword}!!` } } });
  await call(api.keys.tenantA, { method: 'POST', url: '/destinations', body: `{"type":"sftp","credentials":{"password":"${canaries.sftpPassword}"`, headers: { 'content-type': 'application/json' } });
  await call(api.keys.tenantA, { method: 'POST', url: '/destinations', body: `{"password":"${canaries.sftpPassword}\\u0000"}`, headers: { 'content-type': 'application/json' } });
  await call(api.keys.adminA, { method: 'POST', url: '/admin/tenants', body: { name: 'Bad Name', platform: { target: 'simulator', imsOrgId: 'x', sandbox: 'prod', clientId: 'c', clientSecret: canaries.clientSecret } } });
  await call(`aepj_000000000000_${canarySecretPart}`, { method: 'GET', url: '/tenant' });
  await call(`${canaryApiKey}x`, { method: 'GET', url: '/tenant' });
  await call(null, { method: 'GET', url: '/tenant', headers: { authorization: `Basic ${canaryApiKey}` } });

  // The key sent where it does not belong (issue #15): in the query string, in headers other than
  // Authorization, in a form body (labelled as a form and mislabelled as JSON). None of these
  // authenticates; none may be logged.
  await call(null, { method: 'GET', url: `/tenant?api_key=${canaryApiKey}` });
  await call(null, { method: 'GET', url: `/tenant?${canaryApiKey}` });
  await call(api.keys.tenantA, { method: 'GET', url: `/exports?limit=5&access_token=${canaryApiKey}&key=${canarySecretPart}` });
  await call(api.keys.tenantA, { method: 'GET', url: `/healthz?token=${encodeURIComponent(canaryApiKey)}` });
  await call(null, {
    method: 'GET',
    url: '/tenant',
    headers: { 'x-api-key': canaryApiKey, 'api-key': canaryApiKey, 'x-auth-token': canaryApiKey, cookie: `session=${canaryApiKey}`, 'x-client-secret': canaries.clientSecret },
  });
  for (const contentType of ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
    for (const body of [`api_key=${canaryApiKey}&datasetId=x`, `${canarySecretPart}`, `password=${canaries.sftpPassword}`]) {
      await call(api.keys.tenantA, { method: 'POST', url: '/exports', body, headers: { 'content-type': contentType } });
    }
  }
  await call(api.keys.tenantA, { method: 'POST', url: '/exports', body: { datasetId: canaryApiKey, destinationId: canarySecretPart, path: canaryApiKey, format: 'parquet', compression: 'gzip' } });

  // Exports: one accepted (enqueued in Redis), one failing at the Platform (the canary tenant).
  const accepted = await call(api.keys.tenantA, {
    method: 'POST',
    url: '/exports',
    body: { datasetId, destinationId: destinationIds[destinationIds.length - 1], path: 'ml/canary', format: 'parquet', compression: 'gzip' },
    headers: { 'idempotency-key': randomUUID() },
  });
  assert.equal(accepted.statusCode, 202, accepted.body);
  await call(api.keys.tenantA, { method: 'GET', url: `/exports/${bodyOf<{ id: string }>(accepted).id}` });
  await call(api.keys.tenantA, { method: 'GET', url: '/exports?limit=100' });
  const failing = await call(canaryApiKey, {
    method: 'POST',
    url: '/exports',
    body: { datasetId, destinationId: destinationIds[0], path: 'ml/canary', format: 'parquet', compression: 'gzip' },
  });
  assert.ok(failing.statusCode >= 400, 'the Platform rejects the canary secret');

  // Rotate the canary key: the old one is used once more after it stopped working.
  const rotated = await call(api.keys.adminA, { method: 'POST', url: `/admin/api-keys/${apiKey.id}/rotate`, body: {} });
  assert.equal(rotated.statusCode, 201, rotated.body);
  issuingResponses.add(rotated.body);
  assert.equal((await call(canaryApiKey, { method: 'GET', url: '/tenant' })).statusCode, 401);
  await call(canaryApiKey, { method: 'GET', url: `/destinations?tenant=${tenant.id}` });
});
after(async () => {
  await api.close();
});

/** Every canary, the API key included (whole and its secret part). */
function allCanaries(): [string, string][] {
  // The head of the secret part too: an error message that quotes the start of a body (V8's JSON
  // syntax errors quote about ten characters) must not leak part of a key either.
  return [...Object.entries(canaries), ['apiKey', canaryApiKey], ['apiKeySecretPart', canarySecretPart], ['apiKeySecretHead', canarySecretPart.slice(0, 8)]];
}

function occurrences(haystacks: { what: string; text: string }[], needles: [string, string][]): string[] {
  const found: string[] = [];
  for (const { what, text } of haystacks) {
    for (const [name, needle] of needles) if (text.includes(needle)) found.push(`${name} in ${what}`);
  }
  return found;
}

async function redisEntries(): Promise<{ what: string; text: string }[]> {
  const out: { what: string; text: string }[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await api.redis.scan(cursor, 'MATCH', `${api.config.redis.queuePrefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await api.redis.type(key);
      let value: unknown;
      if (type === 'string') value = await api.redis.get(key);
      else if (type === 'hash') value = await api.redis.hgetall(key);
      else if (type === 'list') value = await api.redis.lrange(key, 0, -1);
      else if (type === 'set') value = await api.redis.smembers(key);
      else if (type === 'zset') value = await api.redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await api.redis.xrange(key, '-', '+');
      out.push({ what: `redis ${type} ${key}`, text: `${key} ${JSON.stringify(value)}` });
    }
  } while (cursor !== '0');
  return out;
}

describe('canary secrets', () => {
  test('the logs were captured at trace level, with the failing Platform calls in them', () => {
    assert.ok(logLines.length > 50, `${logLines.length} log lines`);
    assert.ok(logLines.some((l) => l.includes('"level":10') || l.includes('"level":20')), 'trace or debug lines');
    assert.ok(logLines.some((l) => /platform/i.test(l)), 'Platform calls are logged');
  });

  test('no canary in any log line', (t) => {
    t.diagnostic(`canary: ${allCanaries().length} secrets; ${logLines.length} log lines, ${responses.length} responses scanned`);
    assert.deepEqual(occurrences(logLines.map((text, i) => ({ what: `log line ${i}`, text })), allCanaries()), []);
  });

  test('no canary in any response body or header (the new API key only in the answers that issue it)', () => {
    const bodies = responses.map((r) => ({ what: r.what, text: `${r.headers}\n${r.body}` }));
    assert.ok(bodies.some((b) => b.what.includes('-> 4')), 'error answers were collected');
    assert.ok(bodies.some((b) => b.what.includes('-> 5')), 'a failing Platform call was collected');
    const secretCanaries = Object.entries(canaries);
    assert.deepEqual(occurrences(bodies, secretCanaries), []);
    // Control: the scan does see a secret where one is meant to be.
    assert.ok(occurrences([...issuingResponses].map((text) => ({ what: 'issuing answer', text })), [['apiKey', canaryApiKey]]).length > 0);
    const apiKeyLeaks = occurrences(
      responses.filter((r) => !issuingResponses.has(r.body)).map((r) => ({ what: r.what, text: `${r.headers}\n${r.body}` })),
      [['apiKey', canaryApiKey], ['apiKeySecretPart', canarySecretPart]],
    );
    assert.deepEqual(apiKeyLeaks, []);
  });

  test('no canary in any Redis key or value under the test prefix', async (t) => {
    const entries = await redisEntries();
    t.diagnostic(`canary: ${entries.length} Redis keys scanned`);
    assert.ok(entries.length > 0, 'the accepted export left keys to scan');
    assert.deepEqual(occurrences(entries, allCanaries()), []);
  });

  test('Postgres holds the secrets only sealed: no canary in any row of any table', async (t) => {
    const tables = await api.database.db.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    const rows: { what: string; text: string }[] = [];
    for (const { table_name } of tables) {
      if (!/^[a-z_]+$/.test(table_name)) continue;
      const dump = await api.database.db.$queryRawUnsafe<{ row: string }[]>(`SELECT t::text AS row FROM "${table_name}" t`);
      for (const r of dump) rows.push({ what: `postgres ${table_name}`, text: r.row });
    }
    t.diagnostic(`canary: ${rows.length} Postgres rows in ${tables.length} tables scanned`);
    assert.ok(rows.some((r) => r.what.endsWith('idempotency_keys')), 'stored Idempotency-Key answers are scanned too');
    assert.deepEqual(occurrences(rows, allCanaries()), []);

    // ...yet sealed, they are there: the keyring opens them back.
    const tenant = await api.database.db.tenant.findUniqueOrThrow({ where: { name: `canary-${tag}` } });
    assert.equal(api.secrets.open(tenant.clientSecretSealed), canaries.clientSecret);
    const opened = (await api.database.db.destination.findMany({ where: { credentialsSealed: { not: null } } })).map((d) => api.secrets.open(d.credentialsSealed!));
    for (const secret of [canaries.s3SecretKey, canaries.azureAccountKey, canaries.adlsKey, canaries.gcsSecret, canaries.sftpPassword, canaries.sshKey]) {
      assert.ok(opened.some((o) => o.includes(secret)), 'a sealed destination credential opens to its canary');
    }
  });
});

// /destinations through HTTP: each type's validation, write-only credentials, pagination, delete.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

interface DestinationBody {
  id: string;
  name: string;
  type: string;
  params: Record<string, unknown>;
  hasCredentials: boolean;
  baseConnectionId: string | null;
  createdAt: string;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { location: string; pointer: string; message: string }[];
}

let api: TestApi;
const logLines: string[] = [];

before(async () => {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8')));
  api = await startTestApi({ logStream });
});
after(async () => {
  await api.close();
});

/** Every secret string in the fixtures, to look for in answers, rows and logs. */
const secretValues = Object.values(fakeDestinationBodies).flatMap((body) =>
  'credentials' in body ? Object.entries(body.credentials).filter(([k]) => k !== 'authType').map(([, v]) => v) : [],
);

describe('POST /destinations (happy)', () => {
  for (const [type, body] of Object.entries(fakeDestinationBodies)) {
    test(`creates a ${type} destination; credentials are sealed and never returned`, async () => {
      const res = await api.post(api.keys.tenantA, '/destinations', body);
      assert.equal(res.statusCode, 201, res.body);
      const created = bodyOf<DestinationBody>(res);
      assert.equal(created.type, type);
      assert.equal(created.name, body.name);
      assert.deepEqual(created.params, body.params);
      assert.equal(created.hasCredentials, 'credentials' in body);
      assert.equal(created.baseConnectionId, null);
      assert.equal(res.headers.location, `http://api.test/destinations/${created.id}`);
      for (const secret of secretValues) assert.ok(!res.body.includes(secret), `answer leaks ${secret}`);

      const row = await api.database.db.destination.findUniqueOrThrow({ where: { id: created.id } });
      if ('credentials' in body) {
        assert.ok(row.credentialsSealed);
        for (const secret of secretValues) assert.ok(!row.credentialsSealed.includes(secret));
        assert.deepEqual(JSON.parse(api.secrets.open(row.credentialsSealed)), body.credentials);
      } else {
        assert.equal(row.credentialsSealed, null);
      }

      const read = await api.get(api.keys.tenantA, `/destinations/${created.id}`);
      assert.equal(read.statusCode, 200);
      assert.deepEqual(bodyOf(read), created);
    });
  }

  test('secrets never appear in the logs', () => {
    // Requests above were logged at trace level with the service's redaction.
    assert.ok(logLines.length > 0, 'expected log lines');
    const all = logLines.join('');
    for (const secret of secretValues) assert.ok(!all.includes(secret), `log leaks ${secret}`);
  });
});

describe('POST /destinations (errors)', () => {
  const cases: { name: string; body: unknown; pointer: string; message?: RegExp }[] = [
    {
      name: 'S3 access key not matching the Platform pattern',
      body: { ...fakeDestinationBodies.s3, credentials: { ...fakeDestinationBodies.s3.credentials, s3AccessKey: 'akia-lowercase' } },
      pointer: '/credentials/s3AccessKey',
    },
    {
      name: 'S3 secret key of the wrong length',
      body: { ...fakeDestinationBodies.s3, credentials: { ...fakeDestinationBodies.s3.credentials, s3SecretKey: 'short' } },
      pointer: '/credentials/s3SecretKey',
    },
    { name: 'S3 bucket name with capitals', body: { ...fakeDestinationBodies.s3, params: { bucketName: 'Fake_Bucket' } }, pointer: '/params/bucketName' },
    { name: 'S3 without credentials', body: { type: 's3', name: 'x', params: { bucketName: 'fake-bucket' } }, pointer: '/credentials' },
    { name: 'unknown S3 auth type', body: { ...fakeDestinationBodies.s3, credentials: { authType: 'password' } }, pointer: '/credentials/authType' },
    { name: 'unknown destination type', body: { type: 'ftp', name: 'x', params: {} }, pointer: '/type' },
    { name: 'missing name', body: { type: 'dlz', params: {} }, pointer: '/name' },
    { name: 'SFTP key that is not base64', body: { ...fakeDestinationBodies.sftp, credentials: { authType: 'ssh-key', username: 'u', sshKey: 'not base64 at all!'.repeat(4) } }, pointer: '/credentials/sshKey' },
    { name: 'Azure connection string without a key', body: { ...fakeDestinationBodies['azure-blob'], credentials: { connectionString: 'AccountName=fake' } }, pointer: '/credentials/connectionString' },
    { name: 'ADLS url over http', body: { ...fakeDestinationBodies['adls-gen2'], params: { url: 'http://fakeaccount.dfs.core.windows.net/fs' } }, pointer: '/params/url' },
    {
      name: 'ADLS Gen2 given a Blob Storage URL',
      body: { ...fakeDestinationBodies['adls-gen2'], params: { url: 'https://fakeaccount.blob.core.windows.net/fakefs' } },
      pointer: '/params/url',
      message: /Blob Storage endpoint.*dfs\.core\.windows\.net/,
    },
    {
      name: 'ADLS Gen2 URL without a file system',
      body: { ...fakeDestinationBodies['adls-gen2'], params: { url: 'https://fakeaccount.dfs.core.windows.net/' } },
      pointer: '/params/url',
      message: /Data Lake endpoint with its file system/,
    },
    { name: 'SFTP port out of range', body: { ...fakeDestinationBodies.sftp, params: { domain: 'sftp.example.com', port: 70000 } }, pointer: '/params/port' },
    { name: 'SFTP port as a string', body: { ...fakeDestinationBodies.sftp, params: { domain: 'sftp.example.com', port: '22' } }, pointer: '/params/port' },
    { name: 'GCS access id not HMAC-shaped', body: { ...fakeDestinationBodies.gcs, credentials: { ...fakeDestinationBodies.gcs.credentials, accessKeyId: 'AKIAFAKE' } }, pointer: '/credentials/accessKeyId' },
  ];
  for (const c of cases) {
    test(`400 naming the field: ${c.name}`, async () => {
      const res = await api.post(api.keys.tenantA, '/destinations', c.body);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = bodyOf<Problem>(res);
      assert.equal(problem.code, 'validation_error');
      assert.ok(problem.errors?.some((e) => e.location === 'body' && e.pointer === c.pointer && (!c.message || c.message.test(e.message))), `expected ${c.pointer} in ${res.body}`);
    });
  }

  test('400 naming an unknown field', async () => {
    const res = await api.post(api.keys.tenantA, '/destinations', { ...fakeDestinationBodies.dlz, region: 'eu' });
    assert.equal(res.statusCode, 400);
    assert.match(bodyOf<Problem>(res).detail, /region/);
  });

  test('400 for credentials on a Data Landing Zone destination (it takes none)', async () => {
    const res = await api.post(api.keys.tenantA, '/destinations', { ...fakeDestinationBodies.dlz, credentials: { password: 'x' } });
    assert.equal(res.statusCode, 400);
    assert.match(bodyOf<Problem>(res).detail, /credentials/);
  });

  test('401 without an API key, and with a revoked-looking unknown key', async () => {
    assert.equal((await api.post(null, '/destinations', fakeDestinationBodies.dlz)).statusCode, 401);
    const unknown = `aepj_${'a'.repeat(12)}_${'b'.repeat(43)}`;
    assert.equal((await api.get(unknown, '/destinations')).statusCode, 401);
  });
});

describe('GET /destinations', () => {
  test('pages newest first with an opaque cursor, covering every row once', async () => {
    const tenant = await api.addTenant(`pager-${randomUUID().slice(0, 8)}`);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post(tenant.key, '/destinations', { ...fakeDestinationBodies.dlz, name: `dlz ${i}` });
      created.push(bodyOf<DestinationBody>(res).id);
    }
    const seen: DestinationBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/destinations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await api.get(tenant.key, url);
      assert.equal(res.statusCode, 200, res.body);
      const page = bodyOf<{ items: DestinationBody[]; nextCursor: string | null }>(res);
      assert.ok(page.items.length <= 2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(seen.length, created.length);
    assert.deepEqual(new Set(seen.map((d) => d.id)), new Set(created));
    const order = seen.map((d) => `${d.createdAt}|${d.id}`);
    assert.deepEqual(order, [...order].sort().reverse());
  });

  test('400 for a cursor the API did not issue, and for a limit over 100', async () => {
    const bad = await api.get(api.keys.tenantA, '/destinations?cursor=bm90LWEtY3Vyc29y');
    assert.equal(bad.statusCode, 400);
    assert.ok(bodyOf<Problem>(bad).errors?.some((e) => e.location === 'query' && e.pointer === '/cursor'));
    const big = await api.get(api.keys.tenantA, '/destinations?limit=101');
    assert.equal(big.statusCode, 400);
    assert.ok(bodyOf<Problem>(big).errors?.some((e) => e.pointer === '/limit'));
  });
});

describe('DELETE /destinations/:id', () => {
  test('deletes; afterwards the destination answers 404 and is not listed', async () => {
    const id = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    const del = await api.delete(api.keys.tenantA, `/destinations/${id}`);
    assert.equal(del.statusCode, 204);
    assert.equal((await api.get(api.keys.tenantA, `/destinations/${id}`)).statusCode, 404);
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${id}`)).statusCode, 404);
    const list = bodyOf<{ items: DestinationBody[] }>(await api.get(api.keys.tenantA, '/destinations?limit=100'));
    assert.ok(!list.items.some((d) => d.id === id));
  });

  test('409 while an unfinished export uses it; allowed once the export has finished', async () => {
    const id = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    const exportId = randomUUID();
    await api.database.db.export.create({
      data: {
        id: exportId,
        tenantId: api.tenantA.id,
        destinationId: id,
        datasetId: 'fakedataset0000000000000',
        path: 'ml',
        format: 'parquet',
        compression: 'gzip',
        status: 'running',
        step: 'flow',
        nextCheckAt: new Date(),
      },
    });
    const refused = await api.delete(api.keys.tenantA, `/destinations/${id}`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(bodyOf<Problem>(refused).code, 'conflict');

    await api.database.db.export.update({ where: { id: exportId }, data: { status: 'succeeded' } });
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${id}`)).statusCode, 204);
  });
});

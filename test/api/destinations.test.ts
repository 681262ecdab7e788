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

/** An export row to the destination, in the state given (no worker runs here). */
async function insertExportTo(destinationId: string, state: { status: string; step: string; schedule?: { every: string; startAt: string; endAt: string } }): Promise<string> {
  const id = randomUUID();
  await api.database.db.export.create({
    data: { id, tenantId: api.tenantA.id, destinationId, datasetId: 'fakedataset0000000000000', path: 'ml', format: 'parquet', compression: 'gzip', nextCheckAt: new Date(), ...state },
  });
  return id;
}

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
    const exportId = await insertExportTo(id, { status: 'running', step: 'flow' });
    const refused = await api.delete(api.keys.tenantA, `/destinations/${id}`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(bodyOf<Problem>(refused).code, 'conflict');

    await api.database.db.export.update({ where: { id: exportId }, data: { status: 'succeeded' } });
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${id}`)).statusCode, 204);
  });
});

describe('DELETE /destinations/:id names its users', () => {
  test('409 naming a live recurring export and a pipeline schedule; 204 once both are gone', async () => {
    const id = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    const db = api.database.db;
    // A recurring export whose flow was created: `succeeded`, but its flow runs until endAt.
    const endAt = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
    const exportId = await insertExportTo(id, { schedule: { every: 'PT3H', startAt: new Date().toISOString(), endAt }, status: 'succeeded', step: 'done' });
    const scheduleId = randomUUID();
    await db.pipelineSchedule.create({
      data: {
        id: scheduleId,
        tenantId: api.tenantA.id,
        name: 'nightly scoring',
        sourceKind: 'template',
        templateId: randomUUID(),
        everyHours: 24,
        startAt: new Date(),
        activeSince: new Date(),
        status: 'paused',
        destinationIds: [id],
      },
    });

    const refused = await api.delete(api.keys.tenantA, `/destinations/${id}`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    const problem = bodyOf<Problem & { usedBy: { exports: { id: string; recurring: boolean }[]; pipelineSchedules: { id: string; name: string }[] } }>(refused);
    assert.deepEqual(problem.usedBy.exports.map((e) => [e.id, e.recurring]), [[exportId, true]]);
    assert.deepEqual(problem.usedBy.pipelineSchedules.map((s) => [s.id, s.name]), [[scheduleId, 'nightly scoring']]);
    assert.ok(problem.detail.includes(exportId) && problem.detail.includes(scheduleId), problem.detail);

    // Past its endAt the recurring export no longer runs; the schedule still holds the destination.
    await db.export.update({ where: { id: exportId }, data: { schedule: { every: 'PT3H', startAt: '2026-01-01T00:00:00.000Z', endAt: '2026-01-02T00:00:00.000Z' } } });
    const stillRefused = await api.delete(api.keys.tenantA, `/destinations/${id}`);
    assert.equal(stillRefused.statusCode, 409);
    assert.deepEqual(bodyOf<{ usedBy: { exports: unknown[] } }>(stillRefused).usedBy.exports, []);

    await db.pipelineSchedule.delete({ where: { id: scheduleId } });
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${id}`)).statusCode, 204);
  });
});

describe('DELETE /destinations/:id and running pipelines', () => {
  test('409 naming a running one-off pipeline whose activate step names it; 204 once it has finished', async () => {
    const id = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    const other = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    const db = api.database.db;
    const pipelineId = randomUUID();
    await db.pipeline.create({
      data: {
        id: pipelineId,
        tenantId: api.tenantA.id,
        name: 'one-off scoring',
        status: 'running',
        definition: { steps: [{ kind: 'activate', name: 'activate', audience: { stepRef: 'segment' }, destinationId: id }] },
        nextCheckAt: new Date(),
      },
    });

    const refused = await api.delete(api.keys.tenantA, `/destinations/${id}`);
    assert.equal(refused.statusCode, 409, refused.body);
    const problem = bodyOf<Problem & { usedBy: { pipelines: { id: string; name: string; status: string }[] } }>(refused);
    assert.deepEqual(problem.usedBy.pipelines, [{ id: pipelineId, name: 'one-off scoring', status: 'running' }]);
    assert.ok(problem.detail.includes(pipelineId), problem.detail);
    // A destination the pipeline does not name is free.
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${other}`)).statusCode, 204);

    await db.pipeline.update({ where: { id: pipelineId }, data: { status: 'succeeded' } });
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${id}`)).statusCode, 204);
  });
});

describe('PATCH /destinations/:id', () => {
  test('renames; rotates credentials sealed at rest (no base connection yet: the row only)', async () => {
    const created = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.s3));
    const renamed = await api.patch(api.keys.tenantA, `/destinations/${created.id}`, { name: 'renamed bucket' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual(bodyOf<DestinationBody>(renamed), { ...created, name: 'renamed bucket' });

    const credentials = { authType: 'access-key', s3AccessKey: 'ABCDEFGHIJKLMNOPQRS2', s3SecretKey: 'x'.repeat(40) };
    const rotated = await api.patch(api.keys.tenantA, `/destinations/${created.id}`, { credentials });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.ok(!rotated.body.includes(credentials.s3SecretKey), 'credentials are never returned');
    const row = await api.database.db.destination.findUniqueOrThrow({ where: { id: created.id } });
    assert.ok(row.credentialsSealed && !row.credentialsSealed.includes(credentials.s3SecretKey));
    assert.deepEqual(JSON.parse(api.secrets.open(row.credentialsSealed)), credentials);
  });

  test('400 naming the field: credentials checked against the destination type', async () => {
    const s3 = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.s3)).id;
    const dlz = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    const cases: { id: string; body: unknown; pointer: string }[] = [
      { id: s3, body: { credentials: { authType: 'access-key', s3AccessKey: 'lowercase', s3SecretKey: 'x'.repeat(40) } }, pointer: '/credentials/s3AccessKey' },
      { id: s3, body: { credentials: { connectionString: 'AccountName=a;AccountKey=b' } }, pointer: '/credentials/authType' },
      { id: dlz, body: { credentials: { anything: 'x' } }, pointer: '/credentials' },
      { id: s3, body: { name: '' }, pointer: '/name' },
      { id: s3, body: { type: 'gcs' }, pointer: '/type' },
    ];
    for (const c of cases) {
      const res = await api.patch(api.keys.tenantA, `/destinations/${c.id}`, c.body);
      assert.equal(res.statusCode, 400, res.body);
      assert.ok(bodyOf<Problem>(res).errors?.some((e) => e.location === 'body' && e.pointer === c.pointer), `expected ${c.pointer} in ${res.body}`);
    }
    const empty = await api.patch(api.keys.tenantA, `/destinations/${s3}`, {});
    assert.equal(empty.statusCode, 400, empty.body);
  });

  test("404 for another tenant's destination", async () => {
    const id = bodyOf<DestinationBody>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    assert.equal((await api.patch(api.keys.tenantB, `/destinations/${id}`, { name: 'mine now' })).statusCode, 404);
  });
});

// Base connections over HTTP: create for each destination with its auth spec, get, list, PATCH
// with If-Match, DELETE, validation errors, and the 100-per-sandbox limit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { baseConnectionBody, DESTINATION_KEYS, DESTINATION_SPEC_IDS, FS, type DestinationKey } from './helpers/fixtures.js';
import { call, items, obj } from './helpers/platform-call.js';
import { assertMatchesSpec, type SpecCheck } from './helpers/spec-check.js';

// destinations.yaml models only the S3 and SFTP create bodies; the others use the generic
// CreateConnectionRequest of flow-service.yaml (see docs/simulator.md).
function createSpecFor(destination: DestinationKey): SpecCheck {
  if (destination === 's3' || destination === 'sftp') return { file: 'destinations.yaml' };
  return { file: 'flow-service.yaml', deviations: ['dataLandingZoneAuthIsNull'] };
}

describe('connections', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => sim.close());

  for (const destination of DESTINATION_KEYS) {
    test(`create and read a ${destination} base connection`, async () => {
      const body = baseConnectionBody(destination);
      const created = await call(sim, { method: 'POST', path: `${FS}/connections`, body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await assertMatchesSpec(created, createSpecFor(destination));
      const { id, etag } = obj(created.body);
      assert.match(String(etag), /^".+"$/, 'etags are quoted');

      const read = await call(sim, { method: 'GET', path: `${FS}/connections/${String(id)}` });
      assert.equal(read.status, 200);
      await assertMatchesSpec(read, { file: 'flow-service.yaml', deviations: ['dataLandingZoneAuthIsNullResponse'] });
      const [entity] = items(read.body);
      assert.ok(entity);
      assert.equal(entity.id, id);
      assert.equal(entity.etag, etag);
      assert.equal(entity.version, etag);
      assert.equal(entity.name, body.name);
      assert.equal(entity.state, 'enabled');
      assert.deepEqual(entity.connectionSpec, { id: DESTINATION_SPEC_IDS[destination].connectionSpecId, version: '1.0' });
      // A partial view (flow-service.yaml, Base connections): secret params are left out.
      const sent = body.auth as { specName: string; params: Record<string, unknown> } | null;
      const secret = new Set(['s3SecretKey', 'connectionString', 'servicePrincipalKey', 'secretAccessKey', 'password', 'sshKey']);
      assert.deepEqual(entity.auth, sent === null ? null : { ...sent, params: Object.fromEntries(Object.entries(sent.params).filter(([k]) => !secret.has(k))) });
      assert.equal(entity.imsOrgId, sim.orgId);
      assert.equal(entity.sandboxName, sim.sandbox);
      assert.equal(entity.createdClient, sim.clientId);
      assert.equal(typeof entity.createdAt, 'number');
      assert.equal(entity.__sim, undefined, 'bookkeeping never leaves the simulator');
    });
  }

  test('SFTP also accepts the SSH key auth spec and Amazon S3 the assumed role', async () => {
    const sftp = await call(sim, {
      method: 'POST',
      path: `${FS}/connections`,
      body: { ...baseConnectionBody('sftp'), auth: { specName: 'SFTP with SSH Key', params: { domain: 'sftp.example.test', username: 'fake', sshKey: 'ZmFrZS1rZXk=' } } },
    });
    assert.equal(sftp.status, 201);
    await assertMatchesSpec(sftp, { file: 'destinations.yaml' });
    const role = await call(sim, {
      method: 'POST',
      path: `${FS}/connections`,
      body: { ...baseConnectionBody('s3'), auth: { specName: 'Assumed Role', params: { s3Role: 'arn:aws:iam::000000000000:role/fake-export-role' } } },
    });
    assert.equal(role.status, 201);
    await assertMatchesSpec(role, { file: 'flow-service.yaml' });
  });

  test('400 {"message":"Please provide a valid spec id"} for an unknown connection spec', async () => {
    const response = await call(sim, { method: 'POST', path: `${FS}/connections`, body: { name: 'x', auth: null, connectionSpec: { id: '00000000-0000-0000-0000-000000000000', version: '1.0' } } });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, { message: 'Please provide a valid spec id' });
    await assertMatchesSpec(response, { file: 'destinations.yaml', skipRequest: true });
  });

  test('422 when connectionSpec.version is missing', async () => {
    const body = baseConnectionBody('s3');
    const response = await call(sim, { method: 'POST', path: `${FS}/connections`, body: { ...body, connectionSpec: { id: DESTINATION_SPEC_IDS.s3.connectionSpecId } } });
    assert.equal(response.status, 422);
    assert.match(String(obj(response.body).errorMessage), /version/);
    await assertMatchesSpec(response, { file: 'destinations.yaml', skipRequest: true });
  });

  test('400 when the auth does not match the destination\'s auth spec', async () => {
    const cases: unknown[] = [
      { specName: 'Access Key', params: { s3AccessKey: 'lowercase-not-allowed', s3SecretKey: 'x' } },
      { specName: 'Password', params: {} },
      null,
    ];
    for (const auth of cases) {
      const response = await call(sim, { method: 'POST', path: `${FS}/connections`, body: { ...baseConnectionBody('s3'), auth } });
      assert.equal(response.status, 400, JSON.stringify(auth));
      assert.match(String(obj(response.body).type), /FLOW-\d{4}-400$/);
    }
    const dlzWithAuth = await call(sim, { method: 'POST', path: `${FS}/connections`, body: { ...baseConnectionBody('dataLandingZone'), auth: { specName: 'Access Key', params: {} } } });
    assert.equal(dlzWithAuth.status, 400);
  });

  test('list with property filters, count and continuation tokens', async () => {
    const names = ['page-a', 'page-b', 'page-c'];
    for (const name of names) assert.equal((await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('gcs', name) })).status, 201);

    const byName = await call(sim, { method: 'GET', path: `${FS}/connections?property=name==page-b` });
    assert.equal(byName.status, 200);
    await assertMatchesSpec(byName, { file: 'flow-service.yaml' });
    assert.deepEqual(items(byName.body).map((c) => c.name), ['page-b']);

    const gcsSpec = DESTINATION_SPEC_IDS.gcs.connectionSpecId;
    const count = await call(sim, { method: 'GET', path: `${FS}/connections?property=connectionSpec.id==${gcsSpec}&count=true` });
    assert.deepEqual(count.body, { count: 4 }, 'three here plus the gcs connection of the per-destination test');

    const seen: string[] = [];
    let path = `${FS}/connections?property=connectionSpec.id==${gcsSpec}&limit=3`;
    for (let page = 0; page < 5; page += 1) {
      const response = await call(sim, { method: 'GET', path });
      await assertMatchesSpec(response, { file: 'flow-service.yaml' });
      seen.push(...items(response.body).map((c) => String(c.name)));
      const next = (obj(obj(response.body)._links).next as { href?: string } | undefined)?.href;
      if (next === undefined) break;
      assert.match(next, /continuationToken=/);
      path = next;
    }
    assert.equal(seen.length, 4);
    assert.equal(new Set(seen).size, 4, 'pages never repeat an entity');
    assert.deepEqual(seen.slice(0, 3), ['page-c', 'page-b', 'page-a'], 'newest first');

    const bad = await call(sim, { method: 'GET', path: `${FS}/connections?property=name=~x&continuationToken=garbage` });
    assert.equal(bad.status, 400);
  });

  test('PATCH needs the quoted current etag (412 otherwise) and changes the etag', async () => {
    const created = obj((await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('s3', 'patch-me') })).body);
    const path = `${FS}/connections/${String(created.id)}`;
    const patch = [{ op: 'replace', path: '/name', value: 'patched' }];

    const missing = await call(sim, { method: 'PATCH', path, body: patch });
    assert.equal(missing.status, 412);
    const unquoted = await call(sim, { method: 'PATCH', path, body: patch, headers: { 'if-match': String(created.etag).replace(/"/g, '') } });
    assert.equal(unquoted.status, 412);
    assert.match(String(obj(unquoted.body).errorMessage), /^Supplied version=\[.*\] does not match the current version on entity=\[.*\]$/);
    await assertMatchesSpec(unquoted, { file: 'destinations.yaml', deviations: ['patchConnectionBodyIsArray'] });

    const ok = await call(sim, { method: 'PATCH', path, body: patch, headers: { 'if-match': String(created.etag) } });
    assert.equal(ok.status, 200);
    await assertMatchesSpec(ok, { file: 'destinations.yaml', deviations: ['patchConnectionBodyIsArray'] });
    const patched = obj(ok.body);
    assert.equal(patched.id, created.id);
    assert.notEqual(patched.etag, created.etag);
    const [entity] = items((await call(sim, { method: 'GET', path })).body);
    assert.equal(entity?.name, 'patched');
    assert.equal(entity?.etag, patched.etag);

    const stale = await call(sim, { method: 'PATCH', path, body: patch, headers: { 'if-match': String(created.etag) } });
    assert.equal(stale.status, 412, 'the old etag no longer matches');

    const badAuth = await call(sim, {
      method: 'PATCH',
      path,
      body: [{ op: 'replace', path: '/auth/params/s3AccessKey', value: 'bad' }],
      headers: { 'if-match': String(patched.etag) },
    });
    assert.equal(badAuth.status, 400, 'patched auth is validated again');
    const immutable = await call(sim, { method: 'PATCH', path, body: [{ op: 'replace', path: '/connectionSpec/id', value: 'x' }], headers: { 'if-match': String(patched.etag) } });
    assert.equal(immutable.status, 400);
  });

  test('DELETE answers 202, then GET and DELETE answer 404', async () => {
    const created = obj((await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('sftp', 'delete-me') })).body);
    const path = `${FS}/connections/${String(created.id)}`;
    const deleted = await call(sim, { method: 'DELETE', path });
    assert.equal(deleted.status, 202);
    assert.equal(deleted.body, undefined);
    await assertMatchesSpec(deleted, { file: 'destinations.yaml' });
    const gone = await call(sim, { method: 'GET', path });
    assert.equal(gone.status, 404);
    assert.equal(obj(gone.body).errorMessage, `connections not found with id = [${String(created.id)}]`);
    await assertMatchesSpec(gone, { file: 'destinations.yaml' });
    assert.equal((await call(sim, { method: 'DELETE', path })).status, 404);
  });
});

describe('connections limit', () => {
  test('the 101st destination base connection in a sandbox is refused; another sandbox is unaffected', async () => {
    const sim = await startSimulator();
    try {
      const results = [];
      for (let i = 0; i < 100; i += 1) {
        results.push(call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('dataLandingZone', `dlz-${i}`) }));
        if (results.length === 20) assert.deepEqual((await Promise.all(results.splice(0))).map((r) => r.status), new Array<number>(20).fill(201));
      }
      const over = await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('s3', 'one-too-many') });
      assert.equal(over.status, 400);
      assert.match(String(obj(over.body).errorMessage), /Maximum number of destinations \(100\)/);
      const count = await call(sim, { method: 'GET', path: `${FS}/connections?count=true` });
      assert.deepEqual(count.body, { count: 100 });

      const elsewhere = await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('s3'), headers: { 'x-sandbox-name': 'dev' } });
      assert.equal(elsewhere.status, 201);

      const first = items((await call(sim, { method: 'GET', path: `${FS}/connections?property=name==dlz-0` })).body)[0];
      assert.equal((await call(sim, { method: 'DELETE', path: `${FS}/connections/${String(first?.id)}` })).status, 202);
      const again = await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('s3', 'fits-again') });
      assert.equal(again.status, 201, 'deleting one frees a slot');
    } finally {
      await sim.close();
    }
  });
});

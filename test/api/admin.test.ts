// Admin routes (tenants, API keys) and /tenant through HTTP.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';

interface TenantBody {
  id: string;
  name: string;
  platform: { target: string; imsOrgId: string; sandbox: string; clientId: string; scopes: string[]; hasClientSecret: boolean };
  allowSensitiveLabels: boolean;
}
interface IssuedKey {
  id: string;
  tenantId: string;
  role: string;
  prefix: string;
  key: string;
}

let api: TestApi;

before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api.close();
});

const tenantBody = (name: string) => ({
  name,
  platform: {
    target: 'simulator',
    imsOrgId: api.simulator.orgId,
    sandbox: 'prod',
    clientId: api.simulator.clientId,
    clientSecret: api.simulator.clientSecret,
  },
});

describe('POST /admin/tenants', () => {
  test('creates the tenant with a sealed client secret and a first key that works at once', async () => {
    const res = await api.post(api.keys.adminA, '/admin/tenants', tenantBody('team-ml'));
    assert.equal(res.statusCode, 201, res.body);
    assert.ok(!res.body.includes(api.simulator.clientSecret), 'the client secret is never returned');
    const created = bodyOf<{ tenant: TenantBody; apiKey: IssuedKey }>(res);
    assert.equal(created.tenant.name, 'team-ml');
    assert.equal(created.tenant.platform.hasClientSecret, true);
    assert.deepEqual(created.tenant.platform.scopes, ['openid', 'AdobeID', 'read_organizations', 'additional_info.projectedProductContext', 'session']);
    assert.equal(created.apiKey.role, 'tenant');
    assert.equal(created.apiKey.tenantId, created.tenant.id);

    const row = await api.database.db.tenant.findUniqueOrThrow({ where: { id: created.tenant.id } });
    assert.ok(!row.clientSecretSealed.includes(api.simulator.clientSecret));
    assert.equal(api.secrets.open(row.clientSecretSealed), api.simulator.clientSecret);
    const keyRow = await api.database.db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } });
    // Only a SHA-256 of the key's secret part is stored, never the key.
    const secretPart = created.apiKey.key.split('_').slice(2).join('_');
    assert.equal(keyRow.secretHash, createHash('sha256').update(secretPart).digest('hex'));
    assert.ok(!JSON.stringify(keyRow).includes(secretPart));

    const own = await api.get(created.apiKey.key, '/tenant');
    assert.equal(own.statusCode, 200);
    assert.deepEqual(bodyOf(own), created.tenant);
    // Bound to the simulator: the new tenant reads its datasets through its own credential.
    assert.equal((await api.get(created.apiKey.key, '/datasets?limit=1')).statusCode, 200);
  });

  test('409 naming name for a duplicate; 400 naming the field for a bad org id or an unknown field', async () => {
    assert.equal((await api.post(api.keys.adminA, '/admin/tenants', tenantBody('dup-team'))).statusCode, 201);
    const dup = await api.post(api.keys.adminA, '/admin/tenants', tenantBody('dup-team'));
    assert.equal(dup.statusCode, 409);
    assert.ok(bodyOf<{ errors: { pointer: string }[] }>(dup).errors.some((e) => e.pointer === '/name'));

    const bad = tenantBody('bad-org');
    const badOrg = await api.post(api.keys.adminA, '/admin/tenants', { ...bad, platform: { ...bad.platform, imsOrgId: 'not-an-org' } });
    assert.equal(badOrg.statusCode, 400);
    assert.ok(bodyOf<{ errors: { pointer: string }[] }>(badOrg).errors.some((e) => e.pointer === '/platform/imsOrgId'));

    const extra = await api.post(api.keys.adminA, '/admin/tenants', { ...bad, owner: 'me' });
    assert.equal(extra.statusCode, 400);
    assert.match(bodyOf<{ detail: string }>(extra).detail, /owner/);
  });

  test('403 for a tenant-role key on every admin route', async () => {
    const id = randomUUID();
    assert.equal((await api.post(api.keys.tenantA, '/admin/tenants', tenantBody('sneaky'))).statusCode, 403);
    assert.equal((await api.post(api.keys.tenantA, `/admin/tenants/${id}/api-keys`, { name: 'x' })).statusCode, 403);
    assert.equal((await api.delete(api.keys.tenantB, `/admin/api-keys/${id}`)).statusCode, 403);
    assert.equal(await api.database.db.tenant.count({ where: { name: 'sneaky' } }), 0);
  });
});

describe('API keys', () => {
  test('issue a key, use it, revoke it: it stops working at once', async () => {
    const issued = await api.post(api.keys.adminA, `/admin/tenants/${api.tenantB.id}/api-keys`, { name: 'ci' });
    assert.equal(issued.statusCode, 201, issued.body);
    const key = bodyOf<IssuedKey>(issued);
    assert.equal(key.tenantId, api.tenantB.id);

    const own = await api.get(key.key, '/tenant');
    assert.equal(own.statusCode, 200);
    assert.equal(bodyOf<TenantBody>(own).id, api.tenantB.id);

    assert.equal((await api.delete(api.keys.adminA, `/admin/api-keys/${key.id}`)).statusCode, 204);
    assert.equal((await api.get(key.key, '/tenant')).statusCode, 401);
    assert.equal((await api.delete(api.keys.adminA, `/admin/api-keys/${key.id}`)).statusCode, 204, 'revoking twice is a no-op');
  });

  test('404 for an unknown tenant or key', async () => {
    assert.equal((await api.post(api.keys.adminA, `/admin/tenants/${randomUUID()}/api-keys`, { name: 'x' })).statusCode, 404);
    assert.equal((await api.delete(api.keys.adminA, `/admin/api-keys/${randomUUID()}`)).statusCode, 404);
  });
});

describe('GET /tenant', () => {
  test('each key sees its own tenant only', async () => {
    const a = bodyOf<TenantBody>(await api.get(api.keys.tenantA, '/tenant'));
    const b = bodyOf<TenantBody>(await api.get(api.keys.tenantB, '/tenant'));
    assert.equal(a.id, api.tenantA.id);
    assert.equal(b.id, api.tenantB.id);
    assert.equal(b.platform.sandbox, api.tenantB.sandbox);
  });
});

describe('tenant scopes as the Developer Console shows them', () => {
  test('one comma-separated string is accepted and stored as the list', async () => {
    const body = tenantBody('console-paste');
    const res = await api.post(api.keys.adminA, '/admin/tenants', {
      ...body,
      platform: { ...body.platform, scopes: 'openid,AdobeID,read_organizations,additional_info.projectedProductContext,session' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(bodyOf<{ tenant: TenantBody }>(res).tenant.platform.scopes, ['openid', 'AdobeID', 'read_organizations', 'additional_info.projectedProductContext', 'session']);
  });

  test('a bad scope in the string is a 400 naming scopes', async () => {
    const body = tenantBody('bad-scopes');
    const res = await api.post(api.keys.adminA, '/admin/tenants', { ...body, platform: { ...body.platform, scopes: 'openid, Adobe ID!' } });
    assert.equal(res.statusCode, 400, res.body);
    assert.ok(bodyOf<{ errors: { pointer: string }[] }>(res).errors.some((e) => e.pointer.startsWith('/platform/scopes')), res.body);
  });
});

describe('GET /admin/tenants and PATCH /admin/tenants/:id', () => {
  test('lists every tenant once across pages, without secrets', async () => {
    const seen: TenantBody[] = [];
    let url: string | null = '/admin/tenants?limit=2';
    while (url) {
      const res = await api.get(api.keys.adminA, url);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(!res.body.includes(api.simulator.clientSecret));
      const page = bodyOf<{ items: TenantBody[]; nextCursor: string | null }>(res);
      seen.push(...page.items);
      url = page.nextCursor ? `/admin/tenants?limit=2&cursor=${page.nextCursor}` : null;
    }
    const rows = await api.database.db.tenant.findMany();
    assert.deepEqual(seen.map((t) => t.id).sort(), rows.map((r) => r.id).sort());
    assert.equal((await api.get(api.keys.tenantA, '/admin/tenants')).statusCode, 403);
  });

  test('allows PSPD and RHD later: the next export of a PSPD dataset is accepted at once', async () => {
    const team = bodyOf<{ tenant: TenantBody; apiKey: IssuedKey }>(await api.post(api.keys.adminA, '/admin/tenants', tenantBody('pspd-later')));
    const destination = bodyOf<{ id: string }>(await api.post(team.apiKey.key, '/destinations', { type: 'dlz', name: 'dlz', params: {} })).id;
    const datasets = bodyOf<{ items: { id: string; governance: { refusedLabels: string[] } }[] }>(await api.get(team.apiKey.key, '/datasets?limit=100')).items;
    const pspd = datasets.find((d) => d.governance.refusedLabels.join() === 'PSPD')?.id ?? assert.fail('no dataset refused for PSPD alone');
    const exportBody = { datasetId: pspd, destinationId: destination, path: 'sensitive', format: 'parquet', compression: 'gzip' };
    assert.equal((await api.post(team.apiKey.key, '/exports', exportBody)).statusCode, 422);

    const patched = await api.patch(api.keys.adminA, `/admin/tenants/${team.tenant.id}`, { allowSensitiveLabels: true });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(bodyOf<TenantBody>(patched).allowSensitiveLabels, true);
    assert.equal((await api.post(team.apiKey.key, '/exports', exportBody)).statusCode, 202);
  });

  test('changes the credential (secret sealed, never returned) and scopes; org and sandbox stay', async () => {
    const team = bodyOf<{ tenant: TenantBody }>(await api.post(api.keys.adminA, '/admin/tenants', tenantBody('new-credential')));
    const res = await api.patch(api.keys.adminA, `/admin/tenants/${team.tenant.id}`, { platform: { clientSecret: 'rotated-secret-value', scopes: 'openid,AdobeID' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes('rotated-secret-value'));
    assert.deepEqual(bodyOf<TenantBody>(res).platform.scopes, ['openid', 'AdobeID']);
    const row = await api.database.db.tenant.findUniqueOrThrow({ where: { id: team.tenant.id } });
    assert.equal(api.secrets.open(row.clientSecretSealed), 'rotated-secret-value');
    assert.equal(row.clientId, api.simulator.clientId);

    const sandbox = await api.patch(api.keys.adminA, `/admin/tenants/${team.tenant.id}`, { platform: { sandbox: 'dev' } });
    assert.equal(sandbox.statusCode, 400);
    assert.ok(bodyOf<{ errors: { pointer: string }[] }>(sandbox).errors.some((e) => e.pointer === '/platform/sandbox'));
    const empty = await api.patch(api.keys.adminA, `/admin/tenants/${team.tenant.id}`, {});
    assert.equal(empty.statusCode, 400);
    assert.match(bodyOf<{ detail: string }>(empty).detail, /names nothing to change/);
    assert.equal((await api.patch(api.keys.adminA, `/admin/tenants/${randomUUID()}`, { allowSensitiveLabels: true })).statusCode, 404);
    assert.equal((await api.patch(api.keys.tenantA, `/admin/tenants/${team.tenant.id}`, { allowSensitiveLabels: true })).statusCode, 403);
  });
});

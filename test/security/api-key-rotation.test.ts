// API key rotation: POST /admin/api-keys/:id/rotate issues a new key for the same tenant, role and
// name and revokes the old one at once or after an overlap.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';

interface IssuedKey {
  id: string;
  tenantId: string;
  name: string;
  role: string;
  prefix: string;
  key: string;
}
interface RotatedKey extends IssuedKey {
  replacedKeyId: string;
  replacedKeyRevokedAt: string;
}

let api: TestApi;

before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api.close();
});

async function issue(tenantId: string, name: string, role: 'tenant' | 'admin' = 'tenant'): Promise<IssuedKey> {
  const res = await api.post(api.keys.adminA, `/admin/tenants/${tenantId}/api-keys`, { name, role });
  assert.equal(res.statusCode, 201, res.body);
  return bodyOf<IssuedKey>(res);
}

const status = async (key: string) => (await api.get(key, '/tenant')).statusCode;

describe('POST /admin/api-keys/:id/rotate', () => {
  test('without overlap: the new key works, the old one stops at once; tenant, role and name carry over', async () => {
    const old = await issue(api.tenantB.id, 'ci deploy');
    assert.equal(await status(old.key), 200);
    const res = await api.post(api.keys.adminA, `/admin/api-keys/${old.id}/rotate`, {});
    assert.equal(res.statusCode, 201, res.body);
    const rotated = bodyOf<RotatedKey>(res);
    assert.equal(rotated.tenantId, api.tenantB.id);
    assert.equal(rotated.name, 'ci deploy');
    assert.equal(rotated.role, 'tenant');
    assert.equal(rotated.replacedKeyId, old.id);
    assert.notEqual(rotated.key, old.key);
    assert.notEqual(rotated.prefix, old.prefix);
    assert.ok(rotated.key.startsWith(`aepj_${rotated.prefix}_`), 'the prefix is visible in the key');

    assert.equal(await status(old.key), 401, 'the old key is revoked at once');
    assert.equal(await status(rotated.key), 200);
    const own = bodyOf<{ id: string }>(await api.get(rotated.key, '/tenant'));
    assert.equal(own.id, api.tenantB.id);
    const oldRow = await api.database.db.apiKey.findUniqueOrThrow({ where: { id: old.id } });
    assert.ok(oldRow.revokedAt && oldRow.revokedAt.getTime() <= Date.now());
    assert.equal(oldRow.revokedAt.toISOString(), rotated.replacedKeyRevokedAt);
  });

  test('with an overlap both keys work until the old one expires; DELETE brings the revocation forward', async () => {
    const old = await issue(api.tenantB.id, 'overlapping');
    const before = Date.now();
    const res = await api.post(api.keys.adminA, `/admin/api-keys/${old.id}/rotate`, { overlapSeconds: 3600 });
    const after = Date.now();
    assert.equal(res.statusCode, 201, res.body);
    const rotated = bodyOf<RotatedKey>(res);
    const revokeAt = new Date(rotated.replacedKeyRevokedAt).getTime();
    assert.ok(revokeAt >= before + 3600_000 && revokeAt <= after + 3600_000, `revoked an hour later (${rotated.replacedKeyRevokedAt})`);
    assert.equal(await status(old.key), 200, 'the old key works during the overlap');
    assert.equal(await status(rotated.key), 200);

    // The overlap running out: the old key stops, the new one goes on.
    await api.database.db.apiKey.update({ where: { id: old.id }, data: { revokedAt: new Date(Date.now() - 1000) } });
    api.app.forgetApiKeys();
    assert.equal(await status(old.key), 401);
    assert.equal(await status(rotated.key), 200);

    // A revocation scheduled later is brought forward by DELETE.
    const second = bodyOf<RotatedKey>(await api.post(api.keys.adminA, `/admin/api-keys/${rotated.id}/rotate`, { overlapSeconds: 86_400 }));
    assert.equal(await status(rotated.key), 200);
    assert.equal((await api.delete(api.keys.adminA, `/admin/api-keys/${rotated.id}`)).statusCode, 204);
    assert.equal(await status(rotated.key), 401);
    assert.equal(await status(second.key), 200);
  });

  test('an admin key rotates into an admin key', async () => {
    const old = await issue(api.tenantB.id, 'ops', 'admin');
    const rotated = bodyOf<RotatedKey>(await api.post(old.key, `/admin/api-keys/${old.id}/rotate`, {}));
    assert.equal(rotated.role, 'admin');
    assert.equal((await api.post(rotated.key, `/admin/tenants/${api.tenantB.id}/api-keys`, { name: 'made by rotated admin' })).statusCode, 201);
    assert.equal(await status(old.key), 401);
  });

  test('refusals: a revoked key 409, an unknown key 404, a tenant key 403, an overlap over 7 days 400', async () => {
    const revoked = await issue(api.tenantB.id, 'to revoke');
    assert.equal((await api.delete(api.keys.adminA, `/admin/api-keys/${revoked.id}`)).statusCode, 204);
    const conflict = await api.post(api.keys.adminA, `/admin/api-keys/${revoked.id}/rotate`, {});
    assert.equal(conflict.statusCode, 409, conflict.body);
    assert.match(String(conflict.headers['content-type']), /^application\/problem\+json/);
    assert.equal((await api.post(api.keys.adminA, `/admin/api-keys/${randomUUID()}/rotate`, {})).statusCode, 404);

    const live = await issue(api.tenantB.id, 'live');
    assert.equal((await api.post(api.keys.tenantB, `/admin/api-keys/${live.id}/rotate`, {})).statusCode, 403);
    const tooLong = await api.post(api.keys.adminA, `/admin/api-keys/${live.id}/rotate`, { overlapSeconds: 7 * 86_400 + 1 });
    assert.equal(tooLong.statusCode, 400);
    assert.ok(bodyOf<{ errors: { pointer: string }[] }>(tooLong).errors.some((e) => e.pointer === '/overlapSeconds'), tooLong.body);
    assert.equal(await status(live.key), 200, 'refused rotations change nothing');
    assert.equal(await api.database.db.apiKey.count({ where: { tenantId: api.tenantB.id, name: 'live' } }), 1);
  });
});

// IMS token endpoint: client_credentials over form body or query string, Adobe's OAuth error
// shapes, and token expiry enforced by the gateway.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { obj } from './helpers/platform-call.js';

async function postToken(sim: TestSimulator, form: Record<string, string>, query: Record<string, string> = {}) {
  const qs = new URLSearchParams(query).toString();
  const response = await fetch(`${sim.url}/ims/token/v3${qs === '' ? '' : `?${qs}`}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: obj(await response.json()) };
}

describe('IMS POST /ims/token/v3', () => {
  let clock = Date.now();
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator({ tokenTtlSeconds: 3600, now: () => clock });
  });
  after(async () => sim.close());

  test('issues a bearer token with expires_in in seconds for valid client credentials', async () => {
    const { status, body } = await postToken(sim, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: 'openid,AdobeID' });
    assert.equal(status, 200);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(typeof body.access_token, 'string');
    assert.ok(String(body.access_token).length > 20);
  });

  test('accepts the parameters in the query string', async () => {
    const { status, body } = await postToken(sim, {}, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret });
    assert.equal(status, 200);
    assert.equal(typeof body.access_token, 'string');
  });

  test('every token is different', async () => {
    const form = { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret };
    const [a, b] = await Promise.all([postToken(sim, form), postToken(sim, form)]);
    assert.notEqual(a.body.access_token, b.body.access_token);
  });

  test('401 invalid_client for a wrong secret or an unknown client', async () => {
    const wrongSecret = await postToken(sim, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: 'not-the-secret' });
    assert.equal(wrongSecret.status, 401);
    assert.equal(wrongSecret.body.error, 'invalid_client');
    assert.equal(typeof wrongSecret.body.error_description, 'string');
    const unknown = await postToken(sim, { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, 'invalid_client');
  });

  test('400 invalid_request without client_id, 400 unsupported_grant_type for other grants', async () => {
    const missing = await postToken(sim, { grant_type: 'client_credentials' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'invalid_request');
    const grant = await postToken(sim, { grant_type: 'authorization_code', client_id: sim.clientId, client_secret: sim.clientSecret });
    assert.equal(grant.status, 400);
    assert.equal(grant.body.error, 'unsupported_grant_type');
  });

  test('a token stops working once expired: 401013', async () => {
    const { body } = await postToken(sim, { grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret });
    const headers = {
      authorization: `Bearer ${String(body.access_token)}`,
      'x-api-key': sim.clientId,
      'x-gw-ims-org-id': sim.orgId,
      'x-sandbox-name': sim.sandbox,
    };
    const fresh = await fetch(`${sim.url}/data/foundation/flowservice/flows`, { headers });
    assert.equal(fresh.status, 200);
    clock += 3600 * 1000 + 1;
    const expired = await fetch(`${sim.url}/data/foundation/flowservice/flows`, { headers });
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error_code: '401013', message: 'Oauth token is not valid' });
  });
});

describe('IMS with configured clients', () => {
  test('SIMULATOR_CLIENTS-style clients get tokens bound to their own org', async () => {
    const sim = await startSimulator({ clients: [{ clientId: 'fake-client-b', clientSecret: 'fake-secret-b', orgId: 'FAKEORGB000000000000000@AdobeOrg' }] });
    try {
      assert.equal(sim.clientId, 'fake-client-b');
      const response = await fetch(`${sim.url}/data/foundation/flowservice/flows`, { headers: await sim.headers() });
      assert.equal(response.status, 200);
      const otherOrg = await fetch(`${sim.url}/data/foundation/flowservice/flows`, { headers: await sim.headers({ 'x-gw-ims-org-id': 'LOCALDEV0000000000000000@AdobeOrg' }) });
      assert.equal(otherOrg.status, 403);
    } finally {
      await sim.close();
    }
  });
});

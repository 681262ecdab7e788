// The API gateway checks on every Platform call: token, API key, org, sandbox, content type,
// with Adobe's error codes and shapes; and state isolated per org and sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { baseConnectionBody, FS } from './helpers/fixtures.js';
import { call, items, obj } from './helpers/platform-call.js';
import { assertMatchesSpec } from './helpers/spec-check.js';

describe('gateway', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => sim.close());

  const flows = `${FS}/flows`;

  test('403010 without a bearer token', async () => {
    const response = await call(sim, { method: 'GET', path: flows, omitHeaders: ['authorization'] });
    assert.equal(response.status, 403);
    assert.deepEqual(response.body, { error_code: '403010', message: 'Oauth token is missing' });
    await assertMatchesSpec(response, { file: 'destinations.yaml', skipRequest: true });
  });

  test('401013 for an unknown token', async () => {
    const response = await call(sim, { method: 'GET', path: flows, headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(response.status, 401);
    assert.deepEqual(response.body, { error_code: '401013', message: 'Oauth token is not valid' });
    await assertMatchesSpec(response, { file: 'destinations.yaml' });
  });

  test('403000 without x-api-key, 403003 with another client\'s key', async () => {
    const missing = await call(sim, { method: 'GET', path: flows, omitHeaders: ['x-api-key'] });
    assert.equal(missing.status, 403);
    assert.deepEqual(missing.body, { error_code: '403000', message: 'Api Key is required' });
    const wrong = await call(sim, { method: 'GET', path: flows, headers: { 'x-api-key': 'someone-else' } });
    assert.equal(wrong.status, 403);
    assert.deepEqual(wrong.body, { error_code: '403003', message: 'Api Key is invalid' });
    await assertMatchesSpec(wrong, { file: 'destinations.yaml' });
  });

  test('400003 without x-gw-ims-org-id, 403025 for another org', async () => {
    const missing = await call(sim, { method: 'GET', path: flows, omitHeaders: ['x-gw-ims-org-id'] });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { error_code: '400003', message: 'Missing header' });
    await assertMatchesSpec(missing, { file: 'destinations.yaml', skipRequest: true, allowUndocumentedStatus: true });
    const other = await call(sim, { method: 'GET', path: flows, headers: { 'x-gw-ims-org-id': 'OTHERORG000000000000000@AdobeOrg' } });
    assert.equal(other.status, 403);
    assert.deepEqual(other.body, { error_code: '403025', message: 'Profile is not valid' });
  });

  test('400 in the Flow Service shape without x-sandbox-name', async () => {
    const response = await call(sim, { method: 'GET', path: flows, omitHeaders: ['x-sandbox-name'] });
    assert.equal(response.status, 400);
    const body = obj(response.body);
    assert.match(String(body.type), /^https:\/\/ns\.adobe\.com\/aep\/errors\/FLOW-\d{4}-400$/);
    assert.equal(body.status, 400);
    assert.match(String(body.errorMessage), /x-sandbox-name/);
  });

  test('a body without a JSON content type is refused before Flow Service sees it', async () => {
    const response = await call(sim, {
      method: 'POST',
      path: `${FS}/connections`,
      rawBody: JSON.stringify(baseConnectionBody('dataLandingZone')),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, { type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' });
    const list = await call(sim, { method: 'GET', path: `${FS}/connections?count=true` });
    assert.deepEqual(list.body, { count: 0 }, 'the refused create must not have been applied');
  });

  test('a POST with no content type at all is refused too', async () => {
    const response = await call(sim, { method: 'POST', path: `${FS}/connections`, rawBody: '{}', omitHeaders: ['content-type'] });
    assert.equal(response.status, 400);
    assert.equal(obj(response.body).detail, 'A valid content-type must be specified');
  });

  test('malformed JSON is a 400', async () => {
    const response = await call(sim, { method: 'POST', path: `${FS}/connections`, rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 400);
  });

  test('state is isolated per sandbox', async () => {
    const created = await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('dataLandingZone', 'only-in-prod') });
    assert.equal(created.status, 201);
    const id = String(obj(created.body).id);
    const inProd = await call(sim, { method: 'GET', path: `${FS}/connections/${id}` });
    assert.equal(inProd.status, 200);
    const inDev = await call(sim, { method: 'GET', path: `${FS}/connections/${id}`, headers: { 'x-sandbox-name': 'dev' } });
    assert.equal(inDev.status, 404);
    const devList = await call(sim, { method: 'GET', path: `${FS}/connections?property=name==only-in-prod`, headers: { 'x-sandbox-name': 'dev' } });
    assert.deepEqual(items(devList.body), []);
  });
});

describe('gateway org isolation', () => {
  test('two orgs on one simulator never see each other\'s entities', async () => {
    const sim = await startSimulator({
      clients: [
        { clientId: 'fake-client-a', clientSecret: 'fake-secret-a', orgId: 'FAKEORGA000000000000000@AdobeOrg' },
        { clientId: 'fake-client-b', clientSecret: 'fake-secret-b', orgId: 'FAKEORGB000000000000000@AdobeOrg' },
      ],
    });
    try {
      const created = await call(sim, { method: 'POST', path: `${FS}/connections`, body: baseConnectionBody('dataLandingZone', 'org-a-connection') });
      assert.equal(created.status, 201);
      const tokenB = await fetch(`${sim.url}/ims/token/v3`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'fake-client-b', client_secret: 'fake-secret-b' }),
      });
      const { access_token: token } = (await tokenB.json()) as { access_token: string };
      const asB = await fetch(`${sim.url}${FS}/connections/${String(obj(created.body).id)}`, {
        headers: { authorization: `Bearer ${token}`, 'x-api-key': 'fake-client-b', 'x-gw-ims-org-id': 'FAKEORGB000000000000000@AdobeOrg', 'x-sandbox-name': sim.sandbox },
      });
      assert.equal(asB.status, 404);
    } finally {
      await sim.close();
    }
  });
});

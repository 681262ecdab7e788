// Bull Board at /admin/queues: admin keys only, as a Bearer header or through the sign-in page's
// cookie; its API shows the export queue with the counts BullMQ itself reports.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queueNames } from '../../src/jobs/catalog.js';
import { startTestApi, type TestApi } from '../support/api.js';

const form = (key: string) => ({
  method: 'POST' as const,
  url: '/admin/queues/login',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ key }).toString(),
});

describe('queue dashboard', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
    // Something in the queue, so the counts are not all zero.
    await api.producer.enqueue('export.run', { exportId: '00000000-0000-4000-8000-000000000001' }, { delayMs: 60_000 });
  });
  after(() => api?.close());

  test('without a key: 401 problem for API calls, the sign-in page for browsers', async () => {
    const call = await api.get(null, '/admin/queues/api/queues');
    assert.equal(call.statusCode, 401);
    assert.match(String(call.headers['content-type']), /application\/problem\+json/);
    const page = await api.call(null, { method: 'GET', url: '/admin/queues', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/admin/queues/login');
    const login = await api.get(null, '/admin/queues/login');
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /<form method="post" action="\/admin\/queues\/login">/);
  });

  test('a tenant key is forbidden, an admin key sees the export queue as BullMQ counts it', async () => {
    assert.equal((await api.get(api.keys.tenantA, '/admin/queues/api/queues')).statusCode, 403);
    const response = await api.get(api.keys.adminA, '/admin/queues/api/queues?activeQueue=exports&status=delayed&page=1&jobsPerPage=10');
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<{ queues: { name: string; counts: Record<string, number>; jobs: { id: string }[] }[] }>();
    const queue = body.queues.find((q) => q.name === queueNames.exports);
    assert.ok(queue, JSON.stringify(body.queues.map((q) => q.name)));
    const counts = await api.producer.queue(queueNames.exports).getJobCounts();
    for (const [state, count] of Object.entries(queue.counts)) assert.equal(count, counts[state], state);
    assert.equal(queue.counts.delayed, 1);
    assert.deepEqual(queue.jobs.map((j) => j.id), ['00000000-0000-4000-8000-000000000001']);
    const html = await api.get(api.keys.adminA, '/admin/queues');
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /<base href="\/admin\/queues\/"/);
  });

  test('signing in sets an HttpOnly cookie that opens the dashboard; signing out clears it', async () => {
    const refused = await api.call(null, form(api.keys.tenantA));
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['set-cookie'], undefined);

    const signedIn = await api.call(null, form(api.keys.adminA));
    assert.equal(signedIn.statusCode, 303);
    assert.equal(signedIn.headers.location, '/admin/queues');
    const cookie = String(signedIn.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/admin\/queues/);
    const pair = cookie.split(';')[0] ?? '';

    const withCookie = await api.call(null, { method: 'GET', url: '/admin/queues/api/queues', headers: { cookie: pair } });
    assert.equal(withCookie.statusCode, 200, withCookie.body);

    const signedOut = await api.call(null, { method: 'POST', url: '/admin/queues/logout', headers: { cookie: pair } });
    assert.equal(signedOut.statusCode, 303);
    assert.match(String(signedOut.headers['set-cookie']), /Max-Age=0/);
  });
});

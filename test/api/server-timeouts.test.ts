// Server timeouts (issue #15): a client that never finishes its body, or never finishes its
// headers, loses its socket within the documented bound (docs/operations.md, "HTTP timeouts"):
// HTTP_REQUEST_TIMEOUT_MS (body) or HTTP_HEADERS_TIMEOUT_MS (headers), plus at most one
// HTTP_TIMEOUT_CHECK_INTERVAL_MS, answered 408 problem+json. Small values keep the test short.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.js';
import { openRaw, parseAnswer } from '../support/raw-http.js';

const headersTimeoutMs = 1000;
const requestTimeoutMs = 2000;
const checkIntervalMs = 250;
/** This shared machine's event loop may lag a little behind a timer; not part of the bound. */
const schedulingSlackMs = 1000;

let api: TestApi;
let url: string;

before(async () => {
  api = await startTestApi({
    env: {
      HTTP_HEADERS_TIMEOUT_MS: String(headersTimeoutMs),
      HTTP_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
      HTTP_TIMEOUT_CHECK_INTERVAL_MS: String(checkIntervalMs),
    },
  });
  url = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await api?.close();
});

function assertTimeoutAnswer(text: string): void {
  const answer = parseAnswer(text);
  assert.equal(answer.status, 408, text);
  assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(answer.body) as { status: number; code: string };
  assert.equal(problem.status, 408);
  assert.equal(problem.code, 'request_timeout');
}

describe('server timeouts', () => {
  test('the configured timeouts are on the server', () => {
    assert.equal(api.app.server.headersTimeout, headersTimeoutMs);
    assert.equal(api.app.server.requestTimeout, requestTimeoutMs);
    assert.equal(api.app.server.keepAliveTimeout, api.config.http.keepAliveTimeoutMs);
    assert.equal(api.app.server.timeout, api.config.http.connectionTimeoutMs);
  });

  test('an authenticated request whose body never finishes loses its socket within the request timeout', async () => {
    const exchange = await openRaw(
      url,
      'POST /exports HTTP/1.1\r\nHost: api.test\r\n' +
        `Authorization: Bearer ${api.keys.tenantA}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"datasetId":`,
    );
    const { closed, text } = await exchange.closed(requestTimeoutMs + checkIntervalMs + schedulingSlackMs);
    assert.ok(closed, 'the socket was closed within the bound');
    assertTimeoutAnswer(text);
  });

  test('a request whose headers never finish loses its socket within the headers timeout', async () => {
    const exchange = await openRaw(url, `GET /tenant HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer ${api.keys.tenantA}\r\n`);
    const { closed, text } = await exchange.closed(headersTimeoutMs + checkIntervalMs + schedulingSlackMs);
    assert.ok(closed, 'the socket was closed within the bound');
    assertTimeoutAnswer(text);
  });

  test('a connection that never sends a byte loses its socket within the headers timeout', async () => {
    const exchange = await openRaw(url);
    const { closed, text } = await exchange.closed(headersTimeoutMs + checkIntervalMs + schedulingSlackMs);
    assert.ok(closed, 'the socket was closed within the bound');
    assertTimeoutAnswer(text);
  });
});

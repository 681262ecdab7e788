// SSRF guard (R19): every class of internal address, names that resolve inside, DNS rebinding between
// the check and the connection, and redirects to internal addresses, all refused before a connection
// is made to them. Local counting servers prove no connection reached them.
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { blockedAddressReason } from '../../src/security/address-policy.js';
import {
  createSsrfGuard,
  guardedRequest,
  resolvedUrlProblem,
  SsrfBlockedError,
  urlProblem,
  type HostLookup,
  type SsrfGuard,
} from '../../src/security/ssrf.js';

interface CountingServer {
  port: number;
  connections: number;
  requests: number;
  server: Server;
}

/** A local HTTP server that counts TCP connections; `respond` answers each request. */
async function countingServer(respond: (res: ServerResponse) => void): Promise<CountingServer> {
  const state = { port: 0, connections: 0, requests: 0 } as CountingServer;
  state.server = createServer((_req, res) => {
    state.requests++;
    respond(res);
  });
  state.server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

const fixedLookup =
  (...addresses: string[]): HostLookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

/** Answers a public address the first time, then loopback: a DNS rebinding attack. */
function rebindingLookup(): HostLookup {
  let calls = 0;
  return async () => [calls++ === 0 ? { address: '93.184.216.34', family: 4 } : { address: '127.0.0.1', family: 4 }];
}

async function rejectsAsBlocked(promise: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SsrfBlockedError, `${what}: expected SsrfBlockedError, got ${String(err)}`);
    return true;
  });
}

describe('address classes', () => {
  const blocked = [
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '100.64.0.1', '100.127.255.255', '169.254.169.254', '169.254.0.1', '0.0.0.0', '0.1.2.3', '192.0.2.10', '198.18.0.1',
    '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    '::1', '::', 'fd00::1', 'fc00::1', 'fdff:ffff::1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:8.8.8.8', '::127.0.0.1',
    '64:ff9b::a00:1', '64:ff9b::169.254.169.254', '64:ff9b:1::1', '2002:a00:1::1', '2002:7f00:1::', '2001:0:4136:e378::1', '100::1',
    // Special-purpose ranges of the IANA registries (ipaddr.js): 6to4 relay anycast, AS112, segment routing, documentation.
    '192.88.99.1', '192.175.48.1', '5f00::1', '3fff::1',
  ];
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '100.63.255.255', '169.255.0.1', '11.0.0.1',
    '2001:4860:4860::8888', '2606:4700::1111', '64:ff9b::808:808', '2002:808:808::1', '[2a00:1450::1]'];

  for (const address of blocked) {
    test(`${address} is refused`, () => assert.notEqual(blockedAddressReason(address), null));
  }
  for (const address of allowed) {
    test(`${address} is public`, () => assert.equal(blockedAddressReason(address), null));
  }
  test('a host name is not an address', () => assert.equal(blockedAddressReason('example.com'), 'not an IP address'));
});

describe('URL checks', () => {
  const strict = { allowPrivate: false };

  test('scheme, credentials, literal internal addresses and internal names are refused on their face', () => {
    for (const bad of [
      'http://hooks.example.com/x', 'https://u:p@hooks.example.com/x', 'https://127.0.0.1/x', 'https://2130706433/x',
      'https://0x7f.1/x', 'https://[::1]/x', 'https://[::ffff:169.254.169.254]/x', 'https://localhost/x', 'https://LOCALHOST./x',
      'https://metadata.google.internal/x', 'https://printer.local/x', 'https://redis/x', 'gopher://hooks.example.com/x',
    ]) {
      assert.notEqual(urlProblem(bad, strict), null, bad);
    }
    assert.equal(urlProblem('https://hooks.example.com/x', strict), null);
    assert.equal(urlProblem('http://127.0.0.1:9/x', { allowPrivate: true }), null, 'local development');
  });

  test('a name resolving to an internal address is refused; any one internal address is enough', async () => {
    assert.match((await resolvedUrlProblem('https://hooks.example.com/x', { ...strict, lookup: fixedLookup('127.0.0.1') })) ?? '', /resolve/);
    assert.notEqual(await resolvedUrlProblem('https://hooks.example.com/x', { ...strict, lookup: fixedLookup('8.8.8.8', '10.0.0.7') }), null);
    assert.notEqual(await resolvedUrlProblem('https://hooks.example.com/x', { ...strict, lookup: fixedLookup('::ffff:192.168.0.1') }), null);
    assert.equal(await resolvedUrlProblem('https://hooks.example.com/x', { ...strict, lookup: fixedLookup('93.184.216.34', '2606:2800::1') }), null);
  });

  test('a name that does not resolve is accepted at accept time (delivery checks again)', async () => {
    const failing: HostLookup = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    assert.equal(await resolvedUrlProblem('https://hooks.example.com/x', { ...strict, lookup: failing }), null);
  });

  test('the real resolver answers localhost with loopback, which the guard refuses', async () => {
    // With private addresses allowed the name resolves through the system resolver...
    const guard = createSsrfGuard({ allowPrivate: true });
    const local = await countingServer((res) => res.end('ok'));
    try {
      const res = await request(`http://localhost:${local.port}/`, { dispatcher: guard.dispatcher });
      assert.equal(await res.body.text(), 'ok');
    } finally {
      await guard.close();
    }
    // ...and without, the same URL never connects.
    const strictGuard = createSsrfGuard(strict);
    const before = local.connections;
    try {
      await rejectsAsBlocked(request(`http://localhost:${local.port}/`, { dispatcher: strictGuard.dispatcher }), 'localhost');
      assert.equal(local.connections, before);
    } finally {
      await strictGuard.close();
      local.server.close();
    }
  });
});

describe('R19: refused before any connection is made', () => {
  let target: CountingServer;
  let redirector: CountingServer;
  let strictGuard: SsrfGuard;
  let permissiveGuard: SsrfGuard;

  before(async () => {
    target = await countingServer((res) => res.end('internal secret'));
    redirector = await countingServer((res) => {
      res.statusCode = 302;
      res.setHeader('location', `http://127.0.0.1:${target.port}/latest/meta-data`);
      res.end();
    });
    strictGuard = createSsrfGuard({ allowPrivate: false });
    permissiveGuard = createSsrfGuard({ allowPrivate: true });
  });
  after(async () => {
    target.server.close();
    redirector.server.close();
    await strictGuard.close();
    await permissiveGuard.close();
  });

  for (const url of ['https://127.0.0.1/', 'https://10.0.0.1/', 'https://169.254.169.254/latest/meta-data/', 'https://[::1]/', 'https://[::ffff:10.0.0.1]/']) {
    test(`${url}`, async () => {
      await rejectsAsBlocked(guardedRequest(url, { guardForHop: () => strictGuard }), url);
      // The dispatcher alone refuses it too (no scheme check involved).
      await rejectsAsBlocked(request(url.replace('https:', 'http:'), { dispatcher: strictGuard.dispatcher }), url);
    });
  }

  test('the local target itself: refused, no connection', async () => {
    const before = target.connections;
    await rejectsAsBlocked(request(`http://127.0.0.1:${target.port}/`, { dispatcher: strictGuard.dispatcher }), 'loopback');
    assert.equal(target.connections, before);
  });

  test('a DNS-rebinding name: public when checked, loopback when connecting; the connect-time check refuses it', async () => {
    const lookup = rebindingLookup();
    const url = `http://rebind.example.com:${target.port}/`;
    assert.equal(await resolvedUrlProblem(url.replace('http:', 'https:'), { allowPrivate: false, lookup }), null, 'the accept-time check passes');
    const guard = createSsrfGuard({ allowPrivate: false, lookup });
    const before = target.connections;
    try {
      await rejectsAsBlocked(request(url, { dispatcher: guard.dispatcher }), 'rebinding');
      assert.equal(target.connections, before, 'nothing reached the loopback server');
    } finally {
      await guard.close();
    }
    // Control: the same name pointed at the server does connect when private addresses are allowed.
    const open = createSsrfGuard({ allowPrivate: true, lookup: fixedLookup('127.0.0.1') });
    try {
      const res = await request(url, { dispatcher: open.dispatcher });
      assert.equal(await res.body.text(), 'internal secret');
      assert.equal(target.connections, before + 1);
    } finally {
      await open.close();
    }
  });

  test('a redirect to a private address: the first hop is allowed, the redirect is refused before connecting', async () => {
    const before = { target: target.connections, redirector: redirector.connections };
    const hops = (hop: number) => (hop === 0 ? permissiveGuard : strictGuard);
    await rejectsAsBlocked(guardedRequest(`http://127.0.0.1:${redirector.port}/hook`, { method: 'POST', body: '{}', guardForHop: hops, maxRedirects: 3 }), 'redirect');
    assert.equal(redirector.requests > 0, true, 'the first hop was called');
    assert.equal(target.connections, before.target, 'the redirect target was never connected to');

    // Redirects are not followed unless asked: the 302 comes back as it is.
    const unfollowed = await guardedRequest(`http://127.0.0.1:${redirector.port}/hook`, { guardForHop: () => permissiveGuard });
    assert.equal(unfollowed.statusCode, 302);
    await unfollowed.body.dump();
    assert.equal(target.connections, before.target);

    // Control: allowed on every hop, the redirect is followed to the target.
    const followed = await guardedRequest(`http://127.0.0.1:${redirector.port}/hook`, { guardForHop: () => permissiveGuard, maxRedirects: 3 });
    assert.equal(await followed.body.text(), 'internal secret');
    assert.equal(target.connections, before.target + 1);
  });
});

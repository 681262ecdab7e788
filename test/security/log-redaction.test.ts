// The shared pino options redact every secret-bearing field the service might log, at the top level
// and one level down, whatever the log level.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { loggerOptions, redactPaths, requestChildLogger } from '../../src/logger.js';

test('every redacted field is censored; other fields are kept', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino(loggerOptions({ level: 'trace', pretty: false }), stream);
  const fields = ['clientSecret', 'client_secret', 'password', 'secret', 'accessToken', 'access_token', 'sshKey', 's3SecretKey', 'secretAccessKey', 'servicePrincipalKey', 'connectionString', 'apiKey', 'privateKey', 'accountKey', 'sharedAccessSignature'];
  let n = 0;
  const canary = () => `CANARYredact${n++}`;
  const seeded: string[] = [];
  const seed = () => {
    const value = canary();
    seeded.push(value);
    return value;
  };
  for (const field of fields) {
    logger.trace({ nested: { [field]: seed() }, keep: 'visible-field' }, 'nested');
  }
  for (const field of ['clientSecret', 'client_secret', 'password', 'secret', 'accessToken', 'access_token', 'credentials', 'authorization']) {
    logger.trace({ [field]: seed() }, 'top level');
  }
  logger.trace({ req: { headers: { authorization: `Bearer ${seed()}`, 'x-api-key': seed(), 'idempotency-key': seed(), cookie: seed() } } }, 'request');
  logger.trace({ call: { headers: { authorization: `Bearer ${seed()}` } } }, 'platform call');
  logger.trace({ nested: { credentials: { password: seed(), username: 'visible-user' } } }, 'credentials object');

  const text = lines.join('');
  assert.equal(lines.length, fields.length + 8 + 3);
  assert.deepEqual(seeded.filter((s) => text.includes(s)), [], 'no seeded secret is logged');
  assert.ok(text.includes('visible-field'), 'other fields are kept');
  assert.ok(text.includes('[redacted]'));
  assert.ok(redactPaths.length >= fields.length);
});

test("a request's deferred logger writes what a pino child writes: its bindings once, secrets redacted, levels honoured", () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const root = pino(loggerOptions({ level: 'warn', pretty: false }), stream);
  const request = requestChildLogger(root, { reqId: 'req-1' }, {});
  request.info({ password: 'CANARYinfo' }, 'below the level');
  request.warn({ password: 'CANARYwarn', nested: { clientSecret: 'CANARYnested' } }, 'at the level');
  request.child({ step: 'write' }).error('from a child');
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    parsed.map((l) => [l.msg, l.reqId, l.step]),
    [
      ['at the level', 'req-1', undefined],
      ['from a child', 'req-1', 'write'],
    ],
  );
  assert.equal(parsed[0]?.password, '[redacted]');
  assert.ok(!lines.join('').includes('CANARY'), lines.join(''));
  for (const line of lines) assert.equal(line.split('"reqId":').length - 1, 1, line);
});

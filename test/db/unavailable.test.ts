// Every shape a database outage takes on its way to the API is recognised as "unavailable" (503),
// and ordinary query failures are not. The shapes are those Prisma 7 and @prisma/adapter-pg build
// (P2039 wrapping a driver-adapter error with the SQLSTATE, adapter error kinds) and pg's own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { createTestDatabase } from '../support/database.js';

/** What Prisma throws for a driver error it has no code of its own for (e.g. 57P03). */
function prismaDatabaseError(cause: Record<string, unknown>): Error {
  const driverAdapterError = Object.assign(new Error(String(cause.kind)), { name: 'DriverAdapterError', cause });
  return Object.assign(new Error(`Database error. Code: \`${String(cause.originalCode)}\`.`), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2039',
    meta: { driverAdapterError },
  });
}

describe('database unavailability', () => {
  test('restarts, refused and dropped connections, exhausted pools are unavailable', () => {
    const unavailable: [string, unknown][] = [
      ['P2039 wrapping 57P03', prismaDatabaseError({ kind: 'postgres', code: '57P03', originalCode: '57P03', originalMessage: 'the database system is starting up' })],
      ['P2039 wrapping 57P01', prismaDatabaseError({ kind: 'postgres', code: '57P01', originalCode: '57P01', originalMessage: 'terminating connection due to administrator command' })],
      ['P1001', Object.assign(new Error("Can't reach database server"), { name: 'PrismaClientKnownRequestError', code: 'P1001' })],
      ['P1017', Object.assign(new Error('Server has closed the connection.'), { name: 'PrismaClientKnownRequestError', code: 'P1017' })],
      ['P2024 pool timeout', Object.assign(new Error('Timed out fetching a new connection from the connection pool.'), { code: 'P2024' })],
      ['adapter DatabaseNotReachable', Object.assign(new Error('x'), { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5 } })],
      ['adapter ConnectionClosed', Object.assign(new Error('x'), { name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } })],
      ['adapter TooManyConnections', Object.assign(new Error('x'), { name: 'DriverAdapterError', cause: { kind: 'TooManyConnections', cause: 'sorry' } })],
      ['pg 08006', Object.assign(new Error('connection failure'), { code: '08006', severity: 'FATAL' })],
      ['pg connection terminated', new Error('Connection terminated unexpectedly')],
      ['pg connect timeout', new Error('timeout exceeded when trying to connect')],
      ['socket refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 })],
      ['wrapped in a cause', new Error('lookup failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) })],
    ];
    assert.deepEqual(unavailable.filter(([, e]) => !isDatabaseUnavailable(e)).map(([name]) => name), []);
  });

  test('ordinary failures are not', () => {
    const ordinary: [string, unknown][] = [
      ['unique violation', Object.assign(new Error('Unique constraint failed'), { name: 'PrismaClientKnownRequestError', code: 'P2002' })],
      ['P2039 wrapping a syntax error', prismaDatabaseError({ kind: 'postgres', code: '42601', originalCode: '42601', originalMessage: 'syntax error at or near "x"' })],
      ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['not an error', 'P1001'],
      ['null', null],
    ];
    assert.deepEqual(ordinary.filter(([, e]) => isDatabaseUnavailable(e)).map(([name]) => name), []);
  });

  test('a real deadlock, as Prisma reports it from Postgres, is temporary (503), not a 500', async () => {
    const database = await createTestDatabase('deadlock');
    try {
      const { db } = database;
      await db.$executeRawUnsafe('CREATE TABLE pair (id int PRIMARY KEY, n int NOT NULL)');
      await db.$executeRawUnsafe('INSERT INTO pair VALUES (1, 0), (2, 0)');
      // Two transactions lock the two rows in opposite orders; each waits for the other to hold
      // its first row before it asks for the second, so Postgres must abort one of them.
      let held = 0;
      const bothHold = new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (held === 2) {
            clearInterval(check);
            resolve();
          }
        }, 10);
      });
      const lockBoth = (first: number, second: number) =>
        db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe('UPDATE pair SET n = n + 1 WHERE id = $1', first);
          held += 1;
          await bothHold;
          await tx.$executeRawUnsafe('UPDATE pair SET n = n + 1 WHERE id = $1', second);
        }, { timeout: 20_000 });
      const outcomes = await Promise.allSettled([lockBoth(1, 2), lockBoth(2, 1)]);
      const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
      assert.equal(failures.length, 1, 'Postgres aborts exactly one of the two');
      assert.match(String(failures[0]), /deadlock|40P01|P2034/i);
      assert.equal(isDatabaseUnavailable(failures[0]), true);
    } finally {
      await database.drop();
    }
  });
});

// Query Service's PostgreSQL interface in the simulator, through the real `pg` driver: the
// credentials from GET /connection_parameters (validated against query-service.yaml) open a TLS
// session; queries answer rows; SQL errors answer SQLSTATE and position in Query Service's words.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { validatorFor } from '../support/spec-validators.js';

interface ConnectionParameters {
  host: string;
  port: number;
  username: string;
  token: string;
  dbName: string;
}

let sim: TestSimulator;
let params: ConnectionParameters;

before(async () => {
  sim = await startSimulator();
  const res = await fetch(`${sim.url}/data/foundation/query/connection_parameters`, { headers: await sim.headers() });
  assert.equal(res.status, 200);
  params = (await res.json()) as ConnectionParameters;
  const report = (await validatorFor('query-service.yaml')).validateResponse(
    { method: 'GET', path: '/data/foundation/query/connection_parameters' },
    { status: 200, body: params },
  );
  assert.deepEqual(report.errors, []);
});
after(async () => {
  await sim.close();
});

function client(overrides: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({
    host: params.host,
    port: params.port,
    user: params.username,
    password: params.token,
    database: params.dbName,
    // sslmode=require: encrypted, certificate not verified (the simulator's is self-signed).
    ssl: { rejectUnauthorized: false },
    ...overrides,
  });
}

async function failureOf(run: () => Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof pg.DatabaseError, String(error));
    return error;
  }
  assert.fail('expected a database error');
}

describe('connection_parameters', () => {
  test('username is the org, token the caller\'s token, dbName "{sandbox}:all"', async () => {
    assert.equal(params.username, sim.orgId);
    assert.equal(params.token, await sim.token());
    assert.equal(params.dbName, `${sim.sandbox}:all`);
    assert.ok(params.port > 0);
  });
});

describe('the PostgreSQL interface', () => {
  test('a SELECT answers typed rows', async () => {
    const c = client();
    await c.connect();
    try {
      const result = await c.query<{ userid: unknown; timestamp: unknown; eventType: unknown }>('SELECT _cmle.userid AS userid, timestamp, eventType FROM cmle_experience_events ORDER BY timestamp LIMIT 3');
      assert.equal(result.rows.length, 3);
      assert.deepEqual(result.fields.map((f) => f.name), ['userid', 'timestamp', 'eventType']);
      assert.ok(result.rows[0]?.timestamp instanceof Date);
      assert.equal(typeof result.rows[0]?.userid, 'string');
    } finally {
      await c.end();
    }
  });

  test('an unknown table: 42P01 with its position, not the local engine\'s words', async () => {
    const c = client();
    await c.connect();
    try {
      const error = await failureOf(() => c.query('SELECT * FROM cmle_experience_evnts'));
      assert.equal(error.code, '42P01');
      assert.equal(error.position, '15');
      assert.equal(error.message, 'relation "cmle_experience_evnts" does not exist');
      // The session is still usable after an error.
      assert.equal((await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    } finally {
      await c.end();
    }
  });

  test('a typo: 42601 syntax error at or near the word, position 1', async () => {
    const c = client();
    await c.connect();
    try {
      const error = await failureOf(() => c.query('SELEC * FROM cmle_experience_events'));
      assert.equal(error.code, '42601');
      assert.match(error.message, /syntax error at or near "SELEC"/);
      assert.doesNotMatch(error.message, /Parser Error|Catalog Error|Did you mean/);
      const column = await failureOf(() => c.query('SELECT nosuchcolumn FROM cmle_experience_events'));
      assert.equal(column.code, '42703');
      assert.equal(column.position, '8');
    } finally {
      await c.end();
    }
  });

  test('a wrong token is refused (28P01); so is a connection without TLS', async () => {
    const wrong = await failureOf(() => client({ password: 'not-a-token' }).connect());
    assert.equal(wrong.code, '28P01');
    const plain = client({ ssl: false });
    await assert.rejects(() => plain.connect(), /SSL connection is required/);
  });
});

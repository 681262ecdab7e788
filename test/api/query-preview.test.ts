// POST /queries/preview against the simulator, through the real path: the Platform client asks
// Query Service for connection_parameters (checked against query-service.yaml), then the `pg`
// driver runs the bounded query over TLS on the PostgreSQL interface those parameters name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';

interface Preview {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
  limit: number;
}
interface Problem {
  code: string;
  detail: string;
  sqlState?: string;
  position?: number | null;
  errors?: { pointer: string; message: string }[];
}

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api.close();
});

const preview = (sql: string, key = api.keys.tenantA) => api.call(key, { method: 'POST', url: '/queries/preview', body: { sql } });

describe('POST /queries/preview', () => {
  test('a SELECT answers typed columns and at most 100 rows, saying when it cut', async () => {
    const res = await preview('SELECT _cmle.userid AS userId, timestamp, eventType FROM cmle_experience_events ORDER BY timestamp');
    assert.equal(res.statusCode, 200, res.body);
    const body = bodyOf<Preview>(res);
    assert.equal(body.limit, 100);
    assert.equal(body.rowCount, 100);
    assert.equal(body.rows.length, 100);
    assert.equal(body.truncated, true);
    assert.deepEqual(body.columns, [
      { name: 'userId', type: 'string' },
      { name: 'timestamp', type: 'timestamp' },
      { name: 'eventType', type: 'string' },
    ]);
    const stamps = body.rows.map((r) => String(r.timestamp));
    assert.deepEqual(stamps, [...stamps].sort(), 'ORDER BY holds under the bound');
    assert.ok(api.simulator.contract?.checked.some((c) => c.operationId === 'listConnectionParameters'), 'the credentials call was checked against query-service.yaml');
  });

  test("the caller's own LIMIT is kept below the bound; a larger one is bounded", async () => {
    const small = bodyOf<Preview>(await preview('SELECT count(*) AS n, 1.5 AS x FROM cmle_experience_events LIMIT 5;'));
    assert.equal(small.rowCount, 1);
    assert.equal(small.truncated, false);
    assert.equal(typeof small.rows[0]?.n, 'number');
    assert.deepEqual(small.columns.map((c) => c.type), ['integer', 'number']);
    const large = bodyOf<Preview>(await preview('SELECT eventType FROM cmle_experience_events LIMIT 5000'));
    assert.equal(large.rowCount, 100);
    assert.equal(large.truncated, true);
  });

  test('an unknown table: 422 sql_error with SQLSTATE 42P01 and the position in the caller\'s SQL', async () => {
    const res = await preview('SELECT *\nFROM cmle_experience_evnts');
    assert.equal(res.statusCode, 422, res.body);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    const problem = bodyOf<Problem>(res);
    assert.equal(problem.code, 'sql_error');
    assert.equal(problem.sqlState, '42P01');
    assert.equal(problem.position, 15);
    assert.equal(problem.errors?.[0]?.pointer, '/sql');
    assert.match(problem.detail, /relation "cmle_experience_evnts" does not exist \(position 15\)/);
    assert.doesNotMatch(problem.detail, /Catalog Error|Did you mean|pg_indexes/);
  });

  test('a typo answers 42601 at position 1; an unknown column names it', async () => {
    const typo = bodyOf<Problem>(await preview('SELEC * FROM cmle_experience_events'));
    assert.equal(typo.sqlState, '42601');
    assert.equal(typo.position, 1);
    assert.match(typo.detail, /syntax error at or near "SELEC"/);
    const column = bodyOf<Problem>(await preview('SELECT nosuch FROM cmle_experience_events'));
    assert.equal(column.sqlState, '42703');
    assert.equal(column.position, 8);
    // With its own LIMIT the query runs wrapped; the position is still the one in the caller's SQL.
    const wrapped = bodyOf<Problem>(await preview('SELECT nosuch FROM cmle_experience_events LIMIT 5'));
    assert.equal(wrapped.sqlState, '42703');
    assert.equal(wrapped.position, 8);
  });

  test('anything but one query is refused before Query Service: 400 naming /sql', async () => {
    for (const sql of ['DROP TABLE cmle_experience_events', 'CREATE TABLE t AS SELECT 1', 'SELECT 1; SELECT 2', 'INSERT INTO t SELECT 1', '  -- nothing\n']) {
      const res = await preview(sql);
      assert.equal(res.statusCode, 400, `${sql}: ${res.body}`);
      assert.equal(bodyOf<Problem>(res).errors?.[0]?.pointer, '/sql');
    }
  });
});

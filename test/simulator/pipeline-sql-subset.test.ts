// The SQL subset's parsing and rewriting, and the PQL subset, without a simulator: statement
// classification, refusals, literals that only look like refused constructs, the rewrite of
// TIME_BETWEEN_*_MATCH run in DuckDB against values computed here, and PQL evaluation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuckDbSession } from '../../packages/stand-ins/src/simulator/query/duckdb-session.js';
import { buildEffectiveSql } from '../../packages/stand-ins/src/simulator/query/effective-sql.js';
import { toDuckDbSql } from '../../packages/stand-ins/src/simulator/query/sql-dialect.js';
import { parseScript, SqlRejection } from '../../packages/stand-ins/src/simulator/query/sql-statements.js';
import { evaluatePql, parsePql, PqlError } from '../../packages/stand-ins/src/simulator/segmentation/pql.js';

describe('Data Distiller SQL subset', () => {
  test('statements are classified; SET is ignored; strings and comments never trigger refusals', () => {
    const script = parseScript(`SET auto_to_json = true; -- a comment with $$ and @var
      CREATE TABLE IF NOT EXISTS t WITH (label='PROFILE') AS SELECT '$$ SNAPSHOT BETWEEN @x' AS s;
      INSERT INTO "My Table" SELECT 1;
      SELECT 1`);
    assert.deepEqual(
      script.map((s) => s.kind),
      ['set', 'createTableAs', 'insertInto', 'select'],
    );
    assert.deepEqual(script[1], { kind: 'createTableAs', table: 't', ifNotExists: true, sql: `SELECT '$$ SNAPSHOT BETWEEN @x' AS s` });
    assert.equal(script[2]?.kind === 'insertInto' ? script[2].table : '', 'My Table');
  });

  test('refusals carry a code and name the construct', () => {
    const refused = (sql: string): SqlRejection => {
      try {
        parseScript(sql);
      } catch (error) {
        assert.ok(error instanceof SqlRejection);
        return error;
      }
      throw new Error(`not refused: ${sql}`);
    };
    assert.match(refused('SELECT * FROM t SNAPSHOT SINCE 12').message, /SNAPSHOT SINCE/);
    assert.equal(refused('UPDATE t SET a = 1').code, '0A000');
    assert.equal(refused('SELEC 1').code, '42601');
    assert.match(refused('INSERT INTO t (a) SELECT 1').message, /column list/);
    assert.match(refused('CREATE TABLE db.t AS SELECT 1').message, /Qualified table names/);
    assert.match(refused('SET x = 1').message, /no statement to run/);
  });

  test('ctasParameters wrap the last statement; $parameters are filled in', () => {
    assert.equal(
      buildEffectiveSql({ sql: 'SET a = 1; SELECT $col FROM $table', queryParameters: { col: 'eventType', table: 'events' }, ctasParameters: { datasetName: 'My Scores' } }),
      'SET a = 1;\nCREATE TABLE "My Scores" AS SELECT eventType FROM events',
    );
  });

  test('TIME_BETWEEN_PREVIOUS_MATCH and _NEXT_MATCH compute the time to the nearest matching row of the frame', async () => {
    const minutes = [0, 5, 12, 30, 31];
    const types = ['a', 'b', 'a', 'b', 'b'];
    const values = minutes.map((m, i) => `(TIMESTAMP '2026-01-01 00:00:00' + INTERVAL ${m} MINUTE, '${types[i] ?? ''}')`).join(', ');
    const sql = toDuckDbSql(`SELECT
        TIME_BETWEEN_PREVIOUS_MATCH(ts, kind = 'a', 'minutes') OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prev,
        TIME_BETWEEN_NEXT_MATCH(\`ts\`, kind = 'b', 'seconds') OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next
      FROM (VALUES ${values}) v(ts, kind) ORDER BY ts`);
    const session = await DuckDbSession.open();
    try {
      const result = await session.select(sql, 100);
      const expectedPrev = minutes.map((m, i) => {
        const last = minutes.slice(0, i + 1).filter((_, j) => types[j] === 'a').at(-1);
        return last === undefined ? null : m - last;
      });
      const expectedNext = minutes.map((m, i) => {
        const next = minutes.slice(i).find((_, j) => types[i + j] === 'b');
        return next === undefined ? null : (next - m) * 60;
      });
      assert.deepEqual(result.rows.map((r) => r.prev), expectedPrev);
      assert.deepEqual(result.rows.map((r) => r.next), expectedNext);
    } finally {
      session.close();
    }
  });
});

describe('PQL subset', () => {
  const profile = { _cmle: { propensity: 0.5, segment: 'gold' }, person: { age: 40 } };

  test('comparisons with and/or/not and parentheses', () => {
    const holds = (pql: string) => evaluatePql(parsePql(pql), profile);
    assert.equal(holds('_cmle.propensity >= 0.2 and _cmle.propensity <= 0.93'), true);
    assert.equal(holds('_cmle.propensity > 0.5 or person.age = 41'), false);
    assert.equal(holds('not (_cmle.propensity < 0.5) and _cmle.segment = "gold"'), true);
    assert.equal(holds('_cmle.missing != 1'), false, 'a missing attribute never qualifies');
  });

  test('anything else is refused with its position', () => {
    for (const pql of ['_cmle.propensity.exists()', 'a in [1, 2]', 'a > b', 'a = 1 b = 2', '']) {
      assert.throws(() => parsePql(pql), PqlError, pql);
    }
  });
});

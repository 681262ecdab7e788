// Query Service over HTTP (validated against query-service.yaml): the notebook's featurization
// query as a CTAS over the seeded events, checked row by row against a TypeScript computation;
// syntax errors, unsupported constructs, KILLED, TIMEOUT, zero-row CTAS, ITAS, list, restarts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { datasetStoreFor } from '../../packages/stand-ins/src/simulator/datasets/dataset-store.js';
import type { Row } from '../../packages/stand-ins/src/simulator/datasets/fields.js';
import { quoteIdent } from '../../packages/stand-ins/src/common/sql-ident.js';
import type { TestSimulator } from '../support/simulator.js';
import { expectedDataset } from './data-support.js';
import { CATALOG, getQuery, platform, QUERIES_PATH, runQuery, setPipelineSettings, startPipelineSimulator, submitQuery, waitForQuery, type QueryBody } from './pipeline-support.js';

const TENANT = '_cmle';

/** Week 2's training-set query (notebooks/databricks/Week2Notebook.py), typos included. */
function trainingSetSql(table: string): string {
  const count = (eventType: string, alias: string) =>
    `SUM(CASE WHEN eventType='${eventType}' THEN 1 ELSE 0 END) OVER (PARTITION BY ${TENANT}.userid ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "${alias}"`;
  const since = (eventType: string, alias: string) =>
    `TIME_BETWEEN_PREVIOUS_MATCH(timestamp, eventType = '${eventType}', 'minutes') OVER (PARTITION BY ${TENANT}.userid ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "${alias}"`;
  return `SELECT *
FROM (
    SELECT ${TENANT}.userid as userId,
       eventType,
       timestamp,
       SUM(CASE WHEN eventType='web.formFilledOut' THEN 1 ELSE 0 END) OVER (PARTITION BY ${TENANT}.userid) AS "subscriptionOccurred",
       ${[...COUNT_FEATURES.map(([type, alias]) => count(type, alias)), ...RECENCY_FEATURES.map(([type, alias]) => since(type, alias))].join(',\n       ')},
       row_number() OVER (PARTITION BY ${TENANT}.userid ORDER BY randn()) AS random_row_number_for_user
    FROM ${table}
)
WHERE (subscriptionOccurred = 1 AND eventType = 'web.formFilledOut') OR (subscriptionOccurred = 0 AND random_row_number_for_user = 1)
ORDER BY timestamp`;
}

const COUNT_FEATURES: [string, string][] = [
  ['directMarketing.emailSent', 'emailsReceived'],
  ['directMarketing.emailOpened', 'emailsOpened'],
  ['directMarketing.emailClicked', 'emailsClicked'],
  ['commerce.productViews', 'productsViewed'],
  ['decisioning.propositionInteract', 'propositionInteracts'],
  ['decisioning.propositionDismiss', 'propositionDismissed'],
  ['web.webinteraction.linkClicks', 'webLinkClicks'],
];
const RECENCY_FEATURES: [string, string][] = [
  ['directMarketing.emailSent', 'minutes_since_emailSent'],
  ['directMarketing.emailOpened', 'minutes_since_emailOpened'],
  ['directMarketing.emailClicked', 'minutes_since_emailClick'],
  ['commerce.productViews', 'minutes_since_productView'],
  ['decisioning.propositionInteract', 'minutes_since_propositionInteract'],
  // The notebook's typo (no "decisioning." prefix): this feature is always null.
  ['propositionDismiss', 'minutes_since_propositionDismiss'],
  ['web.webinteraction.linkClicks', 'minutes_since_linkClick'],
];

interface SourceEvent {
  userId: string;
  eventType: string;
  ms: number;
  iso: string;
}

function sourceEvents(sim: TestSimulator): Map<string, SourceEvent[]> {
  const byUser = new Map<string, SourceEvent[]>();
  for (const row of expectedDataset(sim, 'experience-events').rows) {
    const userId = (row[TENANT] as { userid: string }).userid;
    const event = { userId, eventType: row.eventType as string, ms: Date.parse(row.timestamp as string), iso: row.timestamp as string };
    byUser.set(userId, [...(byUser.get(userId) ?? []), event]);
  }
  for (const events of byUser.values()) events.sort((a, b) => a.ms - b.ms);
  return byUser;
}

/** The features of `events[index]` as the window functions define them (frame = the sorted prefix). */
function expectedFeatures(events: SourceEvent[], index: number): Row {
  const prefix = events.slice(0, index + 1);
  const current = events[index] as SourceEvent;
  const features: Row = {
    userId: current.userId,
    eventType: current.eventType,
    timestamp: current.iso,
    subscriptionOccurred: events.filter((e) => e.eventType === 'web.formFilledOut').length,
  };
  for (const [type, alias] of COUNT_FEATURES) features[alias] = prefix.filter((e) => e.eventType === type).length;
  for (const [type, alias] of RECENCY_FEATURES) {
    const last = prefix.filter((e) => e.eventType === type).at(-1);
    if (last !== undefined) features[alias] = (current.ms - last.ms) / 60_000;
  }
  return features;
}

describe('Query Service', () => {
  let sim: TestSimulator;
  let eventsTable: string;
  before(async () => {
    sim = await startPipelineSimulator();
    // The notebook's way to the table name: Catalog tags["adobe/pqs/table"][0].
    const datasetId = expectedDataset(sim, 'experience-events').id;
    const dataset = await platform<Record<string, { tags: Record<string, string[]> }>>(sim, 'catalog.yaml', { method: 'GET', path: `${CATALOG}/dataSets/${datasetId}` });
    const table = dataset.body[datasetId]?.tags['adobe/pqs/table']?.[0];
    assert.ok(table !== undefined);
    eventsTable = table;
  });
  after(async () => {
    await sim.close();
  });

  test('the featurization CTAS succeeds and its dataset holds the features the notebook defines', async () => {
    const query = await runQuery(sim, { sql: trainingSetSql(eventsTable), ctasParameters: { datasetName: 'cmle_training_set' }, name: 'featurize' });
    assert.equal(query.state, 'SUCCESS', JSON.stringify(query.errors));
    assert.equal(query.isCTAS, true);
    assert.match(query.effectiveSQL, /^CREATE TABLE cmle_training_set AS SELECT/);
    assert.deepEqual(query._links.referenced_datasets?.map((d) => d.id), [expectedDataset(sim, 'experience-events').id]);
    const createdId = query._links.created_dataset?.id;
    assert.ok(createdId !== undefined);

    const byUser = sourceEvents(sim);
    const expectedRowCount = [...byUser.values()].reduce((n, events) => {
      const subscriptions = events.filter((e) => e.eventType === 'web.formFilledOut').length;
      return n + (subscriptions === 0 ? 1 : subscriptions === 1 ? 1 : 0);
    }, 0);
    assert.ok(expectedRowCount > 0);
    assert.equal(query.rowCount, expectedRowCount);

    const catalog = await platform<Record<string, { name: string; tags: Record<string, string[]> }>>(sim, 'catalog.yaml', { method: 'GET', path: `${CATALOG}/dataSets/${createdId}` });
    assert.equal(catalog.body[createdId]?.name, 'cmle_training_set');
    assert.deepEqual(catalog.body[createdId]?.tags['adobe/pqs/table'], ['cmle_training_set']);

    const rows = (await datasetStoreFor(sim.ctx).readRows({ orgId: sim.orgId, sandbox: sim.sandbox }, createdId)).map((r) => r.row);
    assert.equal(rows.length, expectedRowCount);
    const times = rows.map((r) => Date.parse(r.timestamp as string));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'ORDER BY timestamp is kept');

    // Check users whose events all have distinct timestamps (ROWS frames over ties are arbitrary).
    const unambiguous = [...byUser.values()].filter((events) => new Set(events.map((e) => e.ms)).size === events.length);
    const positives = unambiguous.filter((events) => events.some((e) => e.eventType === 'web.formFilledOut')).slice(0, 3);
    const negatives = unambiguous.filter((events) => !events.some((e) => e.eventType === 'web.formFilledOut')).slice(0, 3);
    assert.ok(positives.length > 0 && negatives.length > 0, 'the seed has both classes');
    for (const events of [...positives, ...negatives]) {
      const userId = events[0]?.userId;
      const output = rows.filter((r) => r.userId === userId);
      assert.equal(output.length, 1, `one row for user ${userId}`);
      const row = output[0] as Row;
      const index = events.findIndex((e) => e.iso === row.timestamp && e.eventType === row.eventType);
      assert.ok(index >= 0, `the row of ${userId} is one of its events`);
      if (events.some((e) => e.eventType === 'web.formFilledOut')) assert.equal(row.eventType, 'web.formFilledOut');
      else assert.equal(row.random_row_number_for_user, 1);
      const { random_row_number_for_user: _random, ...features } = row;
      assert.deepEqual(features, expectedFeatures(events, index), `features of ${userId}`);
    }
  });

  test('a CTAS selecting no rows succeeds with rowCount 0 and creates an empty dataset', async () => {
    const query = await runQuery(sim, { sql: `CREATE TABLE no_rows AS SELECT ${TENANT}.userid AS userId, timestamp FROM ${eventsTable} WHERE eventType = 'no.such.event'` });
    assert.equal(query.state, 'SUCCESS');
    assert.equal(query.rowCount, 0);
    const createdId = query._links.created_dataset?.id;
    assert.ok(createdId !== undefined);
    assert.equal(await datasetStoreFor(sim.ctx).countRows({ orgId: sim.orgId, sandbox: sim.sandbox }, createdId), 0);
    const again = await runQuery(sim, { sql: `CREATE TABLE no_rows AS SELECT 1 AS x` });
    assert.equal(again.state, 'FAILED');
    assert.equal(again.errors[0]?.code, '42P07');
  });

  test('INSERT INTO appends the selected rows to an existing table', async () => {
    const created = await runQuery(sim, { sql: `CREATE TABLE emails AS SELECT ${TENANT}.userid AS userId, timestamp FROM ${eventsTable} WHERE eventType = 'directMarketing.emailSent'` });
    assert.equal(created.state, 'SUCCESS');
    const inserted = await runQuery(sim, { sql: `SET auto_to_json = true; INSERT INTO emails SELECT ${TENANT}.userid AS userId, timestamp FROM ${eventsTable} WHERE eventType = 'directMarketing.emailOpened'` });
    assert.equal(inserted.state, 'SUCCESS', JSON.stringify(inserted.errors));
    assert.equal(inserted.isInsertInto, true);
    const events = expectedDataset(sim, 'experience-events').rows;
    assert.equal(inserted.rowCount, events.filter((e) => e.eventType === 'directMarketing.emailOpened').length);
    const total = await datasetStoreFor(sim.ctx).countRows({ orgId: sim.orgId, sandbox: sim.sandbox }, created._links.created_dataset?.id ?? '');
    assert.equal(total, created.rowCount + inserted.rowCount);
  });

  test('a syntax error ends FAILED with the parser message', async () => {
    const query = await runQuery(sim, { sql: `SELECT eventType, FROM ${eventsTable} WHERE` });
    assert.equal(query.state, 'FAILED');
    assert.equal(query.errors[0]?.code, '42601');
    assert.equal(query.errors[0]?.errorType, 'USER_ERROR');
    assert.match(query.errors[0]?.message ?? '', /syntax error/i);
    const unknown = await runQuery(sim, { sql: 'SELECT * FROM no_such_table' });
    assert.equal(unknown.state, 'FAILED');
    assert.equal(unknown.errors[0]?.code, '42P01');
    // Query Service's words, never the local engine's ("Catalog Error … Did you mean").
    assert.match(unknown.errors[0]?.message ?? '', /^relation "no_such_table" does not exist/);
    assert.doesNotMatch(unknown.errors[0]?.message ?? '', /Catalog Error|Did you mean|LINE 1/);
    // A CTAS of a typo reads as a syntax error at that word.
    const typo = await runQuery(sim, { sql: `SELEC * FROM ${eventsTable}`, ctasParameters: { datasetName: 'typo_table' } });
    assert.equal(typo.errors[0]?.code, '42601');
    assert.match(typo.errors[0]?.message ?? '', /syntax error at or near "SELEC"/);
  });

  test('unsupported constructs end FAILED naming the construct', async () => {
    const cases: [string, RegExp][] = [
      [`$$ BEGIN SELECT 1; EXCEPTION WHEN OTHER THEN SELECT 'ERROR'; END $$`, /Anonymous blocks/],
      [`SELECT * FROM ${eventsTable} SNAPSHOT BETWEEN 1 AND 2`, /SNAPSHOT clauses \(SNAPSHOT BETWEEN\)/],
      [`DROP TABLE ${eventsTable}`, /DROP statements are not supported/],
      [`CREATE VIEW v AS SELECT 1`, /CREATE VIEW is not supported/],
      [`SELECT * FROM (SELECT history_meta('${eventsTable}'))`, /history_meta\(\) is not supported/],
      [`SELECT * FROM read_csv('data.csv')`, /can only read datasets/],
      [`ATTACH 'dbname=postgres host=127.0.0.1' AS pg (TYPE postgres)`, /ATTACH statements are not supported/],
    ];
    for (const [sql, message] of cases) {
      const query = await runQuery(sim, { sql });
      assert.equal(query.state, 'FAILED', sql);
      assert.equal(query.errors[0]?.code, '0A000', sql);
      assert.match(query.errors[0]?.message ?? '', message);
    }
  });

  test('cancel kills a waiting query and a running one; a finished query answers 409', async () => {
    await setPipelineSettings(sim, { queryStartDelayMs: 60_000 });
    const waiting = await submitQuery(sim, { sql: 'SELECT 1' });
    await setPipelineSettings(sim, { queryStartDelayMs: 0 });
    const cancel = await platform(sim, 'query-service.yaml', { method: 'PATCH', path: `${QUERIES_PATH}/${waiting.id}`, body: { op: 'cancel' } });
    assert.equal(cancel.status, 202);
    const killed = await getQuery(sim, waiting.id);
    assert.equal(killed.state, 'KILLED');
    assert.equal(killed.errors[0]?.code, '57014');

    const running = await submitQuery(sim, { sql: 'SELECT sum(hash(i)) FROM range(100000000000000) t(i)' });
    await waitForQuery(sim, running.id, (q) => q.state === 'IN_PROGRESS');
    assert.equal((await platform(sim, 'query-service.yaml', { method: 'PATCH', path: `${QUERIES_PATH}/${running.id}`, body: { op: 'cancel' } })).status, 202);
    assert.equal((await getQuery(sim, running.id)).state, 'KILLED');
    // The interrupted query frees its worker: a new one runs to the end, the killed one stays KILLED.
    assert.equal((await runQuery(sim, { sql: 'SELECT 42 AS answer' })).state, 'SUCCESS');
    assert.equal((await getQuery(sim, running.id)).state, 'KILLED');
    const late = await platform(sim, 'query-service.yaml', { method: 'PATCH', path: `${QUERIES_PATH}/${running.id}`, body: { op: 'cancel' } });
    assert.equal(late.status, 409);
  });

  test('a query running past the time limit ends TIMEOUT with code 53400', async () => {
    await setPipelineSettings(sim, { queryTimeoutMs: 300 });
    try {
      const query = await runQuery(sim, { sql: 'SELECT sum(hash(i)) FROM range(100000000000000) t(i)' });
      assert.equal(query.state, 'TIMEOUT');
      assert.equal(query.errors[0]?.code, '53400');
    } finally {
      await setPipelineSettings(sim, { queryTimeoutMs: 600_000 });
    }
  });

  test('list filters by state and pages with start; soft-deleted queries are hidden', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await runQuery(sim, { sql: `SELECT ${i} AS n` })).id);
    const firstPage = await platform<{ queries: QueryBody[]; _links: { next?: { href: string } } }>(sim, 'query-service.yaml', {
      method: 'GET',
      path: `${QUERIES_PATH}?orderby=-created&limit=2&property=${encodeURIComponent('state==SUCCESS')}`,
    });
    assert.equal(firstPage.body.queries.length, 2);
    assert.ok(firstPage.body.queries.every((q) => q.state === 'SUCCESS'));
    assert.deepEqual(firstPage.body.queries.map((q) => q.id), [ids[2], ids[1]]);
    const next = firstPage.body._links.next?.href;
    assert.ok(next !== undefined);
    const secondPage = await platform<{ queries: QueryBody[] }>(sim, 'query-service.yaml', { method: 'GET', path: next.slice(next.indexOf(QUERIES_PATH)) });
    assert.equal(secondPage.body.queries[0]?.id, ids[0]);

    assert.equal((await platform(sim, 'query-service.yaml', { method: 'PATCH', path: `${QUERIES_PATH}/${ids[2]}`, body: { op: 'soft_delete' } })).status, 202);
    const afterDelete = await platform<{ queries: QueryBody[] }>(sim, 'query-service.yaml', { method: 'GET', path: `${QUERIES_PATH}?limit=1` });
    assert.notEqual(afterDelete.body.queries[0]?.id, ids[2]);
  });

  test('a running query interrupted by a restart resumes; one orphaned by a dead process fails with the reason', async () => {
    const running = await submitQuery(sim, { sql: 'SELECT sum(hash(i)) FROM range(100000000000000) t(i)' });
    await waitForQuery(sim, running.id, (q) => q.state === 'IN_PROGRESS');
    await sim.restart();
    // Handed back as SUBMITTED on close, picked up again by the new process.
    await waitForQuery(sim, running.id, (q) => q.state === 'IN_PROGRESS');
    assert.equal((await platform(sim, 'query-service.yaml', { method: 'PATCH', path: `${QUERIES_PATH}/${running.id}`, body: { op: 'cancel' } })).status, 202);

    await setPipelineSettings(sim, { queryStartDelayMs: 60_000 });
    const orphan = await submitQuery(sim, { sql: 'SELECT 1' });
    await setPipelineSettings(sim, { queryStartDelayMs: 0 });
    // What a process that died mid-query leaves behind: IN_PROGRESS with a stale heartbeat.
    await sim.ctx.pool.query(`UPDATE ${quoteIdent(sim.ctx.schema)}.queries SET state = 'IN_PROGRESS', owner = 'dead-process', heartbeat_ms = 1 WHERE id = $1`, [orphan.id]);
    const failed = await waitForQuery(sim, orphan.id, (q) => q.state !== 'IN_PROGRESS');
    assert.equal(failed.state, 'FAILED');
    assert.equal(failed.errors[0]?.errorType, 'SYSTEM_ERROR');
    assert.match(failed.errors[0]?.message ?? '', /interrupted/);
  });
});

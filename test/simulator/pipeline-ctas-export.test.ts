// A CTAS output is an ordinary dataset: the existing export path (flow, ad hoc run, run engine,
// landing files) exports it unchanged. Parquet read back equals the rows the query wrote.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { datasetStoreFor } from '../../packages/stand-ins/src/simulator/datasets/dataset-store.js';
import { createExportFlow, expectedDataset, findExport, finishRun, readExportRows, startDataSimulator, startRun, type DataSimulator } from './data-support.js';
import { runQuery } from './pipeline-support.js';

let data: DataSimulator;
before(async () => {
  data = await startDataSimulator({ seedUsers: 30 });
});
after(async () => {
  await data.sim.close();
});

test('CTAS output exports to gzip Parquet and reads back as the rows the query wrote', async () => {
  const { sim, clock } = data;
  const query = await runQuery(sim, {
    sql: `CREATE TABLE user_event_counts AS
          SELECT _cmle.userid AS userId, count(*) AS events, max(timestamp) AS lastSeen,
                 avg(CASE WHEN eventType LIKE 'directMarketing.%' THEN 1.0 ELSE 0.0 END) AS emailShare
          FROM cmle_experience_events GROUP BY _cmle.userid ORDER BY userId`,
  });
  assert.equal(query.state, 'SUCCESS', JSON.stringify(query.errors));
  const datasetId = query._links.created_dataset?.id;
  assert.ok(datasetId !== undefined);

  // Independently: events per user from the seed.
  const counts = new Map<string, number>();
  for (const row of expectedDataset(sim, 'experience-events').rows) {
    const user = (row._cmle as { userid: string }).userid;
    counts.set(user, (counts.get(user) ?? 0) + 1);
  }
  assert.equal(query.rowCount, counts.size);

  const flowId = await createExportFlow(sim, clock, { datasetIds: [datasetId], format: 'parquet', compression: 'gzip', path: 'cmle/egress' });
  clock.advanceSeconds(sim.config.notReadySeconds + 1);
  const runId = await startRun(sim, flowId, datasetId);
  const run = await finishRun(sim, clock, runId);
  assert.equal(run.metrics.statusSummary.status, 'success');
  const landed = await findExport(sim, 'cmle/egress', datasetId, runId);
  assert.ok(landed !== null);
  assert.ok(landed.manifest.files.every((f) => f.name.endsWith('.gz.parquet')));

  const exported = (await readExportRows(landed)) as { userId: string; events: number; lastSeen: string; emailShare: number }[];
  const stored = (await datasetStoreFor(sim.ctx).readRows({ orgId: sim.orgId, sandbox: sim.sandbox }, datasetId)).map((r) => r.row);
  assert.deepEqual(exported, stored);
  assert.deepEqual(new Map(exported.map((r) => [r.userId, r.events])), counts);
  assert.ok(exported.every((r) => typeof r.lastSeen === 'string' && !Number.isNaN(Date.parse(r.lastSeen))));
});

// An on-demand export to each of the six destination types goes through every step against the
// simulator over HTTP and reaches `succeeded`, with the run's files on disk where the Platform
// lays them out: <path>/<datasetId>/exportTime=.../part-*.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeDestinationBodies } from '../support/api.js';
import {
  countAtPlatform,
  createDestination,
  createExport,
  datasetIdByName,
  EVENTS_DATASET,
  landedFiles,
  startWorld,
  waitForExport,
  type DestinationType,
  type World,
} from './helpers.js';

// The six exports run at once (each has its own destination and path).
describe('on-demand export to every destination type', { concurrency: true }, () => {
  let world: World;
  let datasetId: string;
  before(async () => {
    world = await startWorld();
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
  });
  after(() => world.close());

  for (const type of Object.keys(fakeDestinationBodies) as DestinationType[]) {
    test(`${type}: succeeded with files landed`, async () => {
      const { api, sim } = world;
      const destinationId = await createDestination(api, type);
      const path = `exports/${type}`;
      const accepted = await createExport(api, { datasetId, destinationId, path, format: type === 'sftp' ? 'json' : 'parquet' });
      const done = await waitForExport(api, accepted.id);

      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      assert.equal(done.step, 'done');
      const { platform } = done;
      for (const id of [platform.baseConnectionId, platform.sourceConnectionId, platform.targetConnectionId, platform.flowId]) {
        assert.equal(typeof id, 'string');
      }
      assert.equal(done.runs.length, 1);
      const run = done.runs[0]!;
      assert.equal(run.state, 'succeeded');
      assert.ok(run.platformRunId);
      assert.ok((run.files ?? 0) > 0 && (run.records ?? 0) > 0 && (run.bytes ?? 0) > 0, JSON.stringify(run));

      const files = await landedFiles(sim, path, datasetId);
      const parts = files.filter((f) => /\/part-\d{5}-/.test(f));
      assert.equal(parts.length, run.files, files.join('\n'));
      assert.ok(parts.every((f) => /^exportTime=\d{12}\//.test(f)));
      assert.ok(parts.every((f) => f.endsWith(type === 'sftp' ? '.json.gz' : '.gz.parquet')), parts.join('\n'));
      // The ids on the export are the ones the Platform holds.
      assert.equal(await countAtPlatform(sim, 'runs', [`flowId==${platform.flowId}`]), 1);
      if (type === 'sftp') {
        // The SFTP port given on the destination reaches the Platform's base connection.
        const base = await fetch(`${sim.url}/data/foundation/flowservice/connections/${platform.baseConnectionId}`, { headers: await sim.headers() });
        const connection = ((await base.json()) as { items: { auth: { params: Record<string, unknown> } }[] }).items[0];
        assert.equal(connection?.auth.params.port, fakeDestinationBodies.sftp.params.port);
      }
    });
  }
});

// Landing-zone layout and safety: export folders, part file names, and target paths that try to
// leave the landing root (refused by the pure module and by the ad hoc run over HTTP).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { leaf } from '../../packages/stand-ins/src/simulator/datasets/fields.js';
import { writeExport } from '../../packages/stand-ins/src/simulator/landing/export-writer.js';
import { folderSink } from '../support/folder-sink.js';
import { exportFolderRelative, landingPathSegments, partFileName, UnsafeLandingPathError } from '../../packages/stand-ins/src/simulator/landing/landing-path.js';
import { call, createExportFlow, expectedDataset, requestAdhocRun, startDataSimulator, type DataSimulator } from './data-support.js';

void describe('simulator data: landing zone', () => {
  void test('folders follow <path>/<datasetId>/exportTime=YYYYMMDDHHMM', () => {
    const at = Date.UTC(2026, 4, 17, 9, 5, 59);
    assert.equal(exportFolderRelative('/cmle//egress/', 'abc123', at), 'cmle/egress/abc123/exportTime=202605170905');
    assert.equal(exportFolderRelative('', 'abc123', at), 'abc123/exportTime=202605170905');
  });

  void test('part names follow Spark’s pattern and the format’s extension', () => {
    const naming = { taskId: '6524556370186283034', jobUuid: '31ec6b84-3958-4adb-a9ba-3b0e4ca1bbbd', firstAttempt: 1200 };
    assert.equal(partFileName(2, naming, 'PARQUET', 'GZIP'), 'part-00002-tid-6524556370186283034-31ec6b84-3958-4adb-a9ba-3b0e4ca1bbbd-1202-1-c000.gz.parquet');
    assert.match(partFileName(0, naming, 'PARQUET', 'NONE'), /-c000\.parquet$/);
    assert.match(partFileName(0, naming, 'JSON', 'GZIP'), /-c000\.json\.gz$/);
  });

  void test('paths with .. are refused before anything is written', async () => {
    for (const bad of ['..', '../escape', 'a/../../b', 'a\\..\\b']) {
      assert.throws(() => landingPathSegments(bad), UnsafeLandingPathError, bad);
    }
    const root = await mkdtemp(join(tmpdir(), 'landing-test-'));
    try {
      await assert.rejects(
        writeExport({
          sink: folderSink(join(root, 'zone')),
          targetPath: '../outside',
          datasetId: 'abc',
          flowId: 'f',
          flowRunId: 'r',
          exportMode: 'FULL',
          exportTimeMs: Date.now(),
          format: 'JSON',
          compression: 'GZIP',
          fields: [leaf('a', 'string')],
          rows: [{ a: 'x' }],
        }),
        UnsafeLandingPathError,
      );
      assert.deepEqual(await readdir(root), []);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  void describe('over HTTP', () => {
    let env: DataSimulator;
    before(async () => {
      env = await startDataSimulator();
    });
    after(async () => {
      await env.sim.close();
    });

    void test('a target path escaping the landing zone never produces a run', async () => {
      const { sim, clock } = env;
      const events = expectedDataset(sim, 'experience-events');
      let flowId: string;
      try {
        flowId = await createExportFlow(sim, clock, { datasetIds: [events.id], path: '../../escape' });
      } catch (error) {
        // The Flow Service may already refuse such a target connection; that is fine too.
        assert.match(String(error), /target connection/);
        return;
      }
      clock.advanceSeconds(sim.config.notReadySeconds + 1);
      const result = await requestAdhocRun(sim, flowId, [events.id]);
      assert.equal(result.status, 400);
      assert.match((result.body as { message: string }).message, /must not contain ".."/);
      const runs = await call<{ count: number }>(sim, 'GET', `/data/foundation/flowservice/runs?property=flowId==${flowId}&count=true`);
      assert.deepEqual(runs.body, { count: 0 });
    });
  });
});

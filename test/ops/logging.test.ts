// Every log line written while the API handles a request carries that request's id, and every
// line written while the worker runs a job carries the job id, including lines from shared modules
// (the Platform client, services) that log through the root logger rather than a request's.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { loggerOptions } from '../../src/logger.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';
import { EVENTS_DATASET, fastWorkerEnv } from '../worker/helpers.js';

type Line = Record<string, unknown> & { msg?: string; raw: string };

function captureStream(lines: Line[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const raw of chunk.toString('utf8').split('\n')) if (raw.trim()) lines.push({ ...(JSON.parse(raw) as Record<string, unknown>), raw });
      done();
    },
  });
}

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

describe('log lines carry their request id and job id', () => {
  const apiLines: Line[] = [];
  const workerLines: Line[] = [];
  let api: TestApi;
  let worker: RunningWorker;
  let exportId: string;
  let requestIds: string[] = [];

  before(async () => {
    api = await startTestApi({ logStream: captureStream(apiLines), env: fastWorkerEnv, simulator: { notReadySeconds: 1, runDurationSeconds: 1 } });
    worker = await startWorker(api.config, pino(loggerOptions({ level: 'debug', pretty: false }), captureStream(workerLines)), { secrets: api.secrets });
    apiLines.length = 0;
    workerLines.length = 0;

    const responses = [];
    const destination = await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz);
    const datasets = await api.get(api.keys.tenantA, '/datasets?limit=100');
    const datasetId = bodyOf<{ items: { id: string; name: string }[] }>(datasets).items.find((d) => d.name === EVENTS_DATASET)?.id;
    const created = await api.post(api.keys.tenantA, '/exports', {
      datasetId,
      destinationId: bodyOf<{ id: string }>(destination).id,
      path: 'logging/a',
      format: 'parquet',
      compression: 'gzip',
    });
    assert.equal(created.statusCode, 202, created.body);
    exportId = bodyOf<ExportView>(created).id;
    responses.push(destination, datasets, created);
    for (;;) {
      const view = await api.get(api.keys.tenantA, `/exports/${exportId}`);
      responses.push(view);
      if (['succeeded', 'failed'].includes(bodyOf<ExportView>(view).status)) break;
      await sleep(100);
    }
    requestIds = responses.map((r) => String(r.headers['x-request-id']));
  });

  after(async () => {
    await worker?.close();
    await api?.close();
  });

  test('API: every line during the requests has the reqId of one of them', () => {
    assert.ok(apiLines.length > requestIds.length * 2, `only ${apiLines.length} lines`);
    for (const line of apiLines) assert.ok(requestIds.includes(String(line.reqId)), `no known reqId on ${JSON.stringify(line)}`);
    // Lines from the Platform client (root logger, not the request's) are among them.
    const platformLines = apiLines.filter((l) => l.component === 'platform-client');
    assert.ok(platformLines.length > 0, 'the API called the Platform');
    // Each line carries the id once (a request's own logger has it already): no duplicated key.
    assert.ok(apiLines.some((l) => l.msg === 'incoming request'));
    for (const line of apiLines) assert.equal(occurrences(line.raw, '"reqId":'), 1, line.raw);
    // Once the API key is known, the lines name its tenant too (the Platform calls come after it).
    for (const line of platformLines) assert.equal(line.tenantId, api.tenantA.id, line.raw);
    for (const line of apiLines) assert.ok(occurrences(line.raw, '"tenantId":') <= 1, line.raw);
  });

  test('worker: every line of a job activation has the job id (the export id)', () => {
    const jobLines = workerLines.filter((l) => l.component !== 'sweeper');
    assert.ok(jobLines.length > 0);
    for (const line of jobLines) assert.equal(line.jobId, exportId, `no jobId on ${JSON.stringify(line)}`);
    assert.ok(jobLines.some((l) => l.component === 'platform-client'), 'Platform client lines carry the job id too');
    for (const line of jobLines) assert.equal(occurrences(line.raw, '"jobId":'), 1, line.raw);
  });
});

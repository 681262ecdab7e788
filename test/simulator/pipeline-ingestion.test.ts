// Schema Registry subset, Catalog dataset creation and batch ingestion, over HTTP and validated
// against schema-registry.yaml, catalog.yaml and batch-ingestion.yaml.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { datasetStoreFor } from '../../packages/stand-ins/src/simulator/datasets/dataset-store.js';
import type { TestSimulator } from '../support/simulator.js';
import { CATALOG, createScoresDataset, getCatalogBatch, IMPORT, ingest, platform, pollUntil, PROFILE_CLASS, REGISTRY, startPipelineSimulator, type BatchBody } from './pipeline-support.js';

/** A new JSON batch of the dataset (status `loading`), created over HTTP and checked against the spec. */
async function openJsonBatch(sim: TestSimulator, datasetId: string): Promise<string> {
  const created = await platform<BatchBody>(
    sim,
    'batch-ingestion.yaml',
    { method: 'POST', path: `${IMPORT}/batches`, body: { datasetId, inputFormat: { format: 'json' } } },
    { deviations: ['batchStatusLoading', 'batchInputFormatLowercase'] },
  );
  return created.body.id;
}

describe('schema registry, catalog datasets and batch ingestion', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startPipelineSimulator();
  });
  after(async () => {
    await sim.close();
  });

  test('the scores chain creates a profile-enabled dataset whose schema carries the ECID identity', async () => {
    const scores = await createScoresDataset(sim);
    const schema = await platform<Record<string, unknown>>(sim, 'schema-registry.yaml', {
      method: 'GET',
      path: `${REGISTRY}/tenant/schemas/${encodeURIComponent(scores.schemaId)}`,
      headers: { accept: 'application/vnd.adobe.xed+json; version=1' },
    });
    assert.equal(schema.status, 200);
    assert.equal(schema.body['meta:class'], PROFILE_CLASS);
    assert.deepEqual(schema.body['meta:immutableTags'], ['union']);

    const dataset = await platform<Record<string, { name: string; tags: Record<string, string[]>; schemaRef: { id: string }; observableSchema: { properties: Record<string, unknown> } }>>(sim, 'catalog.yaml', {
      method: 'GET',
      path: `${CATALOG}/dataSets/${scores.datasetId}`,
    });
    const body = dataset.body[scores.datasetId];
    assert.ok(body !== undefined);
    assert.equal(body.schemaRef.id, scores.schemaId);
    assert.deepEqual(body.tags.unifiedProfile, ['enabled:true']);
    assert.deepEqual(body.observableSchema.properties[`_${scores.tenantId}`], {
      type: 'object',
      properties: { propensity: { type: 'number' }, userid: { type: 'string' } },
    });
  });

  test('registry refusals: fields outside the tenant, unknown classes, a second primary identity, union without identity', async () => {
    const outside = await platform(
      sim,
      'schema-registry.yaml',
      {
        method: 'POST',
        path: `${REGISTRY}/tenant/fieldgroups`,
        body: { title: 'bad', type: 'object', 'meta:intendedToExtend': [PROFILE_CLASS], definitions: { d: { properties: { propensity: { type: 'number' } } } } },
      },
      { allowUndocumentedStatus: true },
    );
    assert.equal(outside.status, 400);
    assert.match(JSON.stringify(outside.body), /nested under _cmle/);

    const noClass = await platform(sim, 'schema-registry.yaml', {
      method: 'POST',
      path: `${REGISTRY}/tenant/schemas`,
      body: { title: 'x', description: 'x', type: 'object', allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/unknown-class' }] },
    });
    assert.equal(noClass.status, 400);

    const schema = await platform<{ $id: string; 'meta:altId': string }>(sim, 'schema-registry.yaml', {
      method: 'POST',
      path: `${REGISTRY}/tenant/schemas`,
      body: { title: 'no identity', description: 'x', type: 'object', allOf: [{ $ref: PROFILE_CLASS }] },
    });
    assert.equal(schema.status, 201);
    const union = await platform(sim, 'schema-registry.yaml', {
      method: 'PATCH',
      path: `${REGISTRY}/tenant/schemas/${schema.body['meta:altId']}`,
      body: [{ op: 'add', path: '/meta:immutableTags', value: 'union' }],
    });
    assert.equal(union.status, 400);
    assert.match(JSON.stringify(union.body), /primary identity/);
  });

  test('a JSON-array batch and an NDJSON batch land their rows; Catalog reports success and record counts', async () => {
    const scores = await createScoresDataset(sim, 'scores for ingestion');
    const rows = Array.from({ length: 25 }, (_, i) => ({ _cmle: { userid: `user-${i}`, propensity: i / 25 } }));
    const first = await ingest(sim, scores.datasetId, { 'part-1.json': JSON.stringify(rows.slice(10, 20)), 'part-0.json': JSON.stringify(rows.slice(0, 10)) });
    assert.equal(first.batch.status, 'success', JSON.stringify(first.batch));
    assert.equal(first.batch.recordCount, 20);
    const second = await ingest(sim, scores.datasetId, { 'scores.ndjson': rows.slice(20).map((r) => JSON.stringify(r)).join('\n') });
    assert.equal(second.batch.status, 'success');
    assert.equal(second.batch.recordCount, 5);

    const stored = await datasetStoreFor(sim.ctx).readRows({ orgId: sim.orgId, sandbox: sim.sandbox }, scores.datasetId);
    // Files of a batch are read in file-name order, whatever the upload order.
    assert.deepEqual(
      stored.map((r) => r.row),
      rows,
    );

    const listed = await platform<Record<string, { status: string }>>(sim, 'catalog.yaml', { method: 'GET', path: `${CATALOG}/batches?dataSet=${scores.datasetId}` });
    assert.deepEqual(new Set(Object.keys(listed.body)), new Set([first.batchId, second.batchId]));
  });

  test('rows without the identity fail the whole batch with the rows named; nothing lands', async () => {
    const scores = await createScoresDataset(sim, 'scores with bad rows');
    const content = JSON.stringify([{ _cmle: { userid: 'a', propensity: 0.5 } }, { _cmle: { propensity: 0.1 } }, { _cmle: { userid: '', propensity: 0.2 } }, 42]);
    const { batch } = await ingest(sim, scores.datasetId, { 'bad.json': content });
    assert.equal(batch.status, 'failed');
    assert.equal(batch.failedRecordCount, 3);
    const codes = new Map((batch.errors ?? []).map((e) => [e.code, e.rows]));
    assert.deepEqual(codes.get('INGEST-1002-400'), ['2-3']);
    assert.deepEqual(codes.get('INGEST-1001-400'), ['4']);
    assert.equal(await datasetStoreFor(sim.ctx).countRows({ orgId: sim.orgId, sandbox: sim.sandbox }, scores.datasetId), 0);
  });

  test('a large file goes up in Content-Range parts, in any order; COMPLETE refuses gaps and overlaps', async () => {
    const scores = await createScoresDataset(sim, 'scores in parts');
    const batchId = await openJsonBatch(sim, scores.datasetId);
    const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ _cmle: { userid: `big-${i}`, propensity: i / 40 } })).join('\n') + '\n';
    const bytes = Buffer.from(rows);
    const file = (name: string) => `${IMPORT}/batches/${batchId}/datasets/${scores.datasetId}/files/${name}`;
    // The spec types the part as multipart; Adobe's guide and clients send the raw bytes (octet-stream).
    const part = (name: string, start: number, end: number) =>
      platform(sim, 'batch-ingestion.yaml', {
        method: 'PATCH',
        path: file(name),
        rawBody: bytes.subarray(start, end + 1).toString(),
        headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${bytes.length}` },
      }, { skipRequest: true });
    const action = (name: string, verb: string) => platform(sim, 'batch-ingestion.yaml', { method: 'POST', path: `${file(name)}?action=${verb}`, headers: { 'content-type': 'application/json' } });

    assert.equal((await part('early.json', 0, 9)).status, 404, 'a part before INITIALIZE has no upload to join');
    assert.equal((await action('big.json', 'INITIALIZE')).status, 200);
    const third = Math.floor(bytes.length / 3);
    const answered = await part('big.json', 2 * third, bytes.length - 1);
    assert.equal(answered.status, 200);
    assert.equal(answered.headers.get('range'), `bytes=${2 * third}-${bytes.length - 1}`);
    await part('big.json', 0, third - 1);
    const gap = await action('big.json', 'COMPLETE');
    assert.equal(gap.status, 400);
    assert.match(JSON.stringify(gap.body), /missing bytes/);
    await part('big.json', third - 5, 2 * third - 1);
    assert.equal((await action('big.json', 'COMPLETE')).status, 400, 'overlapping parts are refused');
    // Starting over replaces whatever was sent.
    assert.equal((await action('big.json', 'INITIALIZE')).status, 200);
    for (const [start, end] of [[third, 2 * third - 1], [0, third - 1], [2 * third, bytes.length - 1]] as const) assert.equal((await part('big.json', start, end)).status, 200);
    const bad = await platform(sim, 'batch-ingestion.yaml', { method: 'PATCH', path: file('big.json'), rawBody: 'abc', headers: { 'content-type': 'application/octet-stream', 'content-range': 'bytes 0-9/10' } }, { skipRequest: true });
    assert.equal(bad.status, 400, 'a Content-Range that does not match the body is refused');
    const completed = await platform<{ name: string; sizeInBytes: number }>(sim, 'batch-ingestion.yaml', { method: 'POST', path: `${file('big.json')}?action=COMPLETE`, headers: { 'content-type': 'application/json' } });
    assert.equal(completed.status, 200);
    assert.equal(completed.body.sizeInBytes, bytes.length);
    assert.equal((await platform(sim, 'batch-ingestion.yaml', { method: 'POST', path: `${IMPORT}/batches/${batchId}?action=COMPLETE` })).status, 200);
    const batch = await pollUntil(() => getCatalogBatch(sim, batchId), (b) => b.status !== 'processing', 'batch processing');
    assert.equal(batch.status, 'success', JSON.stringify(batch));
    assert.equal(batch.recordCount, 40);
  });

  test('batch lifecycle rules: COMPLETE is retry-safe, uploads after COMPLETE and to another dataset are refused', async () => {
    const scores = await createScoresDataset(sim, 'scores lifecycle');
    const batchId = await openJsonBatch(sim, scores.datasetId);
    const wrongDataset = await platform(sim, 'batch-ingestion.yaml', {
      method: 'PUT',
      path: `${IMPORT}/batches/${batchId}/datasets/not-the-dataset/files/a.json`,
      rawBody: '[]',
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(wrongDataset.status, 400);
    const upload = { method: 'PUT', path: `${IMPORT}/batches/${batchId}/datasets/${scores.datasetId}/files/a.json`, rawBody: '[{"_cmle":{"userid":"x","propensity":1}}]', headers: { 'content-type': 'application/octet-stream' } };
    assert.equal((await platform(sim, 'batch-ingestion.yaml', upload)).status, 201);
    assert.equal((await platform(sim, 'batch-ingestion.yaml', upload)).status, 200, 'a second PUT of the same path replaces the file');
    const complete = { method: 'POST', path: `${IMPORT}/batches/${batchId}?action=COMPLETE` };
    assert.equal((await platform(sim, 'batch-ingestion.yaml', complete)).status, 200);
    assert.equal((await platform(sim, 'batch-ingestion.yaml', complete)).status, 200, 'COMPLETE may be retried');
    const late = await platform(sim, 'batch-ingestion.yaml', upload);
    assert.equal(late.status, 400);
    const batch = await pollUntil(() => getCatalogBatch(sim, batchId), (b) => b.status !== 'processing', 'batch processing');
    assert.equal(batch.status, 'success');
    assert.equal(batch.recordCount, 1, 'the replaced file counts once');

    const unknownDataset = await platform(
      sim,
      'batch-ingestion.yaml',
      { method: 'POST', path: `${IMPORT}/batches`, body: { datasetId: 'missing', inputFormat: { format: 'json' } } },
      { deviations: ['batchInputFormatLowercase'] },
    );
    assert.equal(unknownDataset.status, 400);
  });
});

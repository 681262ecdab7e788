// Catalog datasets, Dataset Service labels and the Data Lake source's export configs over HTTP,
// validated against catalog.yaml, dataset-service.yaml and destinations.yaml; seeding per sandbox
// is deterministic and happens once even when first calls race.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { datasetStoreFor } from '../../packages/stand-ins/src/simulator/datasets/dataset-store.js';
import { startSimulator } from '../support/simulator.js';
import { call, callValidated, expectedSeededDatasets, startDataSimulator, type DataSimulator } from './data-support.js';

const CATALOG = '/data/foundation/catalog/dataSets';
const CONFIGS = '/data/foundation/flowservice/connectionSpecs/23598e46-f560-407b-88d5-ea6207e49db0/configs';

type DatasetMap = Record<string, { name: string; imsOrg: string; tags?: Record<string, string[]>; observableSchema?: unknown; schemaRef?: unknown }>;

void describe('simulator data: catalog, labels and export configs', () => {
  let env: DataSimulator;
  before(async () => {
    env = await startDataSimulator();
  });
  after(async () => {
    await env.sim.close();
  });

  void test('Catalog lists the sandbox’s seeded datasets as an id-keyed map', async () => {
    const { sim } = env;
    const expected = expectedSeededDatasets(sim);
    const result = await callValidated<DatasetMap>(sim, 'catalog.yaml', 'GET', CATALOG);
    assert.equal(result.status, 200);
    assert.deepEqual(Object.keys(result.body), expected.map((d) => d.id));
    for (const d of expected) {
      assert.equal(result.body[d.id]?.name, d.name);
      assert.equal(result.body[d.id]?.imsOrg, sim.orgId);
      assert.match(d.id, /^[0-9a-f]{24}$/);
    }
  });

  void test('Catalog paging with limit/start and the properties projection', async () => {
    const { sim } = env;
    const ids = expectedSeededDatasets(sim).map((d) => d.id);
    const page = await callValidated<DatasetMap>(sim, 'catalog.yaml', 'GET', `${CATALOG}?limit=2&start=2&properties=name,tags`);
    assert.deepEqual(Object.keys(page.body), ids.slice(2, 4));
    for (const body of Object.values(page.body)) assert.deepEqual(Object.keys(body).sort(), ['name', 'tags']);
    const byName = await callValidated<DatasetMap>(sim, 'catalog.yaml', 'GET', `${CATALOG}?name=${encodeURIComponent('CMLE Synthetic Profiles')}`);
    assert.deepEqual(
      Object.values(byName.body).map((d) => d.name),
      ['CMLE Synthetic Profiles'],
    );
  });

  void test('Catalog reads one dataset (with its observable schema) and 404s an unknown id', async () => {
    const { sim } = env;
    const events = expectedSeededDatasets(sim)[0];
    assert.ok(events);
    const one = await callValidated<DatasetMap>(sim, 'catalog.yaml', 'GET', `${CATALOG}/${events.id}`);
    assert.deepEqual(Object.keys(one.body), [events.id]);
    const schema = one.body[events.id]?.observableSchema as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(schema.properties), events.fields.map((f) => f.name));
    const missing = await callValidated(sim, 'catalog.yaml', 'GET', `${CATALOG}/ffffffffffffffffffffffff`);
    assert.equal(missing.status, 404);
  });

  void test('Dataset Service labels: C9, C12, PSPD, RHD and field labels; 404 PES-404 without a labels entity', async () => {
    const { sim } = env;
    const datasets = expectedSeededDatasets(sim);
    for (const d of datasets) {
      const result = await callValidated<{ labels: string[]; optionalLabels: unknown[] }>(
        sim,
        'dataset-service.yaml',
        'GET',
        `/data/foundation/dataset/datasets/${d.id}/labels`,
      );
      if (d.labels === null) {
        assert.equal(result.status, 404);
        assert.deepEqual(result.body, {
          timestamp: (result.body as unknown as { timestamp: string }).timestamp,
          status: 'NOT_FOUND',
          code: 'PES-404',
          message: 'GET Entities Not Found',
          path: `/entities/AEP:dataset:${d.id}`,
        });
      } else {
        assert.equal(result.status, 200);
        assert.deepEqual(result.body, d.labels);
        assert.match(result.headers.get('etag') ?? '', /^"[0-9a-f]+"$/);
      }
    }
    const labelled = new Set(datasets.flatMap((d) => d.labels?.labels ?? []));
    for (const label of ['C9', 'C12', 'PSPD', 'RHD']) assert.ok(labelled.has(label), `a dataset carries ${label}`);
    const unknown = await callValidated(sim, 'dataset-service.yaml', 'GET', '/data/foundation/dataset/datasets/ffffffffffffffffffffffff/labels');
    assert.equal(unknown.status, 404);
  });

  void test('export configs list exportable datasets with pageInfo; outputType is required', async () => {
    const { sim } = env;
    const ids = expectedSeededDatasets(sim).map((d) => d.id);
    type Configs = { items: { id: string }[]; pageInfo: { start: number; end: number; total: number; hasNext: boolean } };
    const first = await callValidated<Configs>(sim, 'destinations.yaml', 'GET', `${CONFIGS}?outputType=activationDatasets&outputField=datasets&start=0&limit=4`);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.items.map((i) => i.id),
      ids.slice(0, 4),
    );
    assert.deepEqual(first.body.pageInfo, { start: 0, end: 4, total: ids.length, hasNext: true });
    const last = await callValidated<Configs>(sim, 'destinations.yaml', 'GET', `${CONFIGS}?outputType=activationDatasets&outputField=datasets&start=4&limit=4`);
    assert.deepEqual(
      last.body.items.map((i) => i.id),
      ids.slice(4),
    );
    assert.equal(last.body.pageInfo.hasNext, false);
    const missing = await call(sim, 'GET', `${CONFIGS}?outputField=datasets`);
    assert.equal(missing.status, 400);
  });

  void test('seeding is per sandbox and happens once even when the first calls race', async () => {
    const { sim } = env;
    const headers = { 'x-sandbox-name': 'race' };
    const results = await Promise.all(Array.from({ length: 5 }, () => call<DatasetMap>(sim, 'GET', CATALOG, { headers })));
    const expectedIds = expectedSeededDatasets({ ...sim, sandbox: 'race' }).map((d) => d.id);
    for (const r of results) assert.deepEqual(Object.keys(r.body), expectedIds);
    const prodIds = expectedSeededDatasets(sim).map((d) => d.id);
    assert.equal(
      expectedIds.filter((id) => prodIds.includes(id)).length,
      0,
      'another sandbox has other dataset ids',
    );
    const store = datasetStoreFor(sim.ctx);
    const tenancy = { orgId: sim.orgId, sandbox: 'race' };
    const expectedRows = expectedSeededDatasets({ ...sim, sandbox: 'race' }).map((d) => d.rows.length);
    const storedRows = await Promise.all(expectedIds.map((id) => store.countRows(tenancy, id)));
    assert.deepEqual(storedRows, expectedRows);
  });

  void test('the same seed gives the same datasets in a fresh simulator; another seed gives others', async () => {
    const { sim } = env;
    const prodIds = Object.keys((await call<DatasetMap>(sim, 'GET', CATALOG)).body);
    const twin = await startSimulator({ seed: sim.config.seed, seedUsers: sim.config.seedUsers });
    const other = await startSimulator({ seed: sim.config.seed + 1, seedUsers: sim.config.seedUsers });
    try {
      assert.deepEqual(Object.keys((await call<DatasetMap>(twin, 'GET', CATALOG)).body), prodIds);
      const otherIds = Object.keys((await call<DatasetMap>(other, 'GET', CATALOG)).body);
      assert.equal(otherIds.length, prodIds.length);
      assert.ok(otherIds.every((id) => !prodIds.includes(id)));
    } finally {
      await twin.close();
      await other.close();
    }
  });
});

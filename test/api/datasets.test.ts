// /datasets through HTTP against the simulator: the exportable datasets with their usage labels
// and what governance makes of them for the calling tenant.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSeededDatasets, type SeededDataset } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, startTestApi, type TestApi } from '../support/api.js';

interface DatasetBody {
  id: string;
  name: string | null;
  tableName: string | null;
  fields: { path: string; type: string; format: string | null }[] | null;
  labels: { dataset: string[]; fields: { schemaPath: string | null; labels: string[] }[] };
  governance: { exportable: boolean; refusedLabels: string[]; reason: string | null };
}
interface Page {
  items: DatasetBody[];
  nextCursor: string | null;
}

let api: TestApi;
/** What the simulator seeds in tenant A's sandbox, computed from its seed. */
let seeded: SeededDataset[];

before(async () => {
  api = await startTestApi();
  seeded = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0);
});
after(async () => {
  await api.close();
});

async function listAll(key: string, limit: number): Promise<{ items: DatasetBody[]; pages: number }> {
  const items: DatasetBody[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await api.get(key, `/datasets?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.statusCode, 200, res.body);
    const page = bodyOf<Page>(res);
    assert.ok(page.items.length <= limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { items, pages };
}

describe('GET /datasets', () => {
  test('lists every seeded dataset once, across pages, with the labels the Platform holds', async () => {
    const { items, pages } = await listAll(api.keys.tenantA, 2);
    assert.ok(pages >= Math.ceil(seeded.length / 2));
    assert.deepEqual(new Set(items.map((d) => d.id)), new Set(seeded.map((d) => d.id)));
    assert.equal(items.length, seeded.length);
    for (const expected of seeded) {
      const got = items.find((d) => d.id === expected.id);
      assert.ok(got);
      assert.equal(got.name, expected.name);
      assert.deepEqual(got.labels.dataset, expected.labels?.labels ?? []);
      assert.deepEqual(
        got.labels.fields.map((f) => f.labels),
        (expected.labels?.optionalLabels ?? []).map((o) => o.labels),
      );
    }
  });

  test('governance: C9 and C12 never exportable; PSPD and RHD only for a tenant that allows them', async () => {
    const strict = (await listAll(api.keys.tenantA, 100)).items;
    const permissiveTenant = await api.addTenant('permissive', { allowSensitiveLabels: true });
    const permissive = (await listAll(permissiveTenant.key, 100)).items;
    for (const expected of seeded) {
      const labels = expected.labels?.labels ?? [];
      const forbidden = labels.some((l) => l === 'C9' || l === 'C12');
      const sensitive = labels.some((l) => l === 'PSPD' || l === 'RHD');
      const a = strict.find((d) => d.id === expected.id);
      const p = permissive.find((d) => d.id === expected.id);
      assert.equal(a?.governance.exportable, !forbidden && !sensitive, `${expected.key} for tenant A`);
      assert.equal(p?.governance.exportable, !forbidden, `${expected.key} for the permissive tenant`);
      if (a && !a.governance.exportable) {
        assert.ok(a.governance.refusedLabels.length > 0);
        for (const label of a.governance.refusedLabels) assert.match(a.governance.reason ?? '', new RegExp(label));
      }
    }
    assert.ok(seeded.some((d) => d.labels?.labels.includes('C9')), 'the seed has a C9 dataset to judge');
  });

  test('400 for a cursor the API did not issue', async () => {
    const res = await api.get(api.keys.tenantA, '/datasets?cursor=Zm9v');
    assert.equal(res.statusCode, 400);
  });

  test('tenant B sees its own sandbox, not tenant A\'s datasets', async () => {
    const ofB = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantB.sandbox }, 0);
    const { items } = await listAll(api.keys.tenantB, 100);
    assert.deepEqual(new Set(items.map((d) => d.id)), new Set(ofB.map((d) => d.id)));
    for (const a of seeded) assert.ok(!items.some((d) => d.id === a.id));
  });
});

describe('Query Service table names and fields', () => {
  test('every listed dataset names its Catalog table (adobe/pqs/table) and its schema fields', async () => {
    const { items } = await listAll(api.keys.tenantA, 100);
    for (const expected of seeded) {
      const got = items.find((d) => d.id === expected.id);
      assert.ok(got);
      assert.equal(got.tableName, expected.tags['adobe/pqs/table']?.[0]);
      assert.ok(got.fields && got.fields.length > 0, `${expected.key} has fields`);
    }
  });

  test('the events dataset: table cmle_experience_events, dotted paths with types and formats', async () => {
    const events = seeded.find((d) => d.kind === 'experienceEvent');
    assert.ok(events);
    const res = await api.get(api.keys.tenantA, `/datasets/${events.id}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = bodyOf<DatasetBody>(res);
    assert.equal(body.tableName, events.tags['adobe/pqs/table']?.[0]);
    assert.match(body.tableName ?? '', /^cmle_/);
    const byPath = new Map((body.fields ?? []).map((f) => [f.path, f]));
    assert.deepEqual(byPath.get('timestamp'), { path: 'timestamp', type: 'string', format: 'date-time' });
    assert.deepEqual(byPath.get('_cmle.userid'), { path: '_cmle.userid', type: 'string', format: null });
    assert.ok(!byPath.has('_cmle'), 'objects are walked, not listed');
  });
});

describe('GET /datasets/:id', () => {
  test('one dataset with its dataset and field labels', async () => {
    const profiles = seeded.find((d) => d.key === 'profiles');
    assert.ok(profiles);
    const res = await api.get(api.keys.tenantA, `/datasets/${profiles.id}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = bodyOf<DatasetBody>(res);
    assert.equal(body.name, profiles.name);
    assert.deepEqual(
      body.labels.fields,
      (profiles.labels?.optionalLabels ?? []).map((o) => ({ schemaPath: o.option.schemaPath, labels: o.labels })),
    );
    assert.equal(body.governance.exportable, true);
  });

  test('404 for a dataset the Platform does not know; 400 for an id that cannot be one', async () => {
    assert.equal((await api.get(api.keys.tenantA, '/datasets/ffffffffffffffffffffffff')).statusCode, 404);
    assert.equal((await api.get(api.keys.tenantA, `/datasets/${encodeURIComponent('../flows')}`)).statusCode, 400);
  });

  test('the Platform failing: 503 problem with Retry-After, in plain words', async () => {
    const fresh = await api.addTenant('flaky-reader');
    await api.simulator.setFaults({ rules: [{ match: { pathPrefix: '/data/foundation/catalog' }, effect: 'error5xx', status: 500 }] });
    try {
      const res = await api.get(fresh.key, `/datasets/${seeded[0]!.id}`);
      assert.equal(res.statusCode, 503, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = bodyOf<{ code: string; detail: string; platformKind: string }>(res);
      assert.equal(problem.code, 'service_unavailable');
      assert.equal(problem.platformKind, 'transient');
      assert.match(problem.detail, /Platform/);
      assert.ok(Number(res.headers['retry-after']) >= 1);
    } finally {
      await api.simulator.setFaults({});
    }
  });

  test('a credential the Platform rejects: 502 naming the problem in plain words', async () => {
    const wrong = await api.addTenant('wrong-secret');
    await api.database.db.tenant.update({ where: { id: wrong.id }, data: { clientSecretSealed: api.secrets.seal('not-the-secret') } });
    const res = await api.get(wrong.key, '/datasets');
    assert.equal(res.statusCode, 502, res.body);
    const problem = bodyOf<{ code: string; detail: string; platformKind: string }>(res);
    assert.equal(problem.code, 'platform_error');
    assert.equal(problem.platformKind, 'auth');
    assert.match(problem.detail, /client (id|secret)/i);
  });
});

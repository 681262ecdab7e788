// The Postgres EntityStore on its own: filters on the jsonb body, ordering and pages, etag
// conditions, the locked limit, and tenancy isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Tenancy } from '../../packages/stand-ins/src/simulator/context.js';
import { parsePropertyFilter } from '../../packages/stand-ins/src/simulator/flow-service/list-query.js';
import { InvalidFilterError } from '../../packages/stand-ins/src/simulator/store/filter-sql.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';

interface RunLike {
  name: string;
  flowId: string;
  startedAt: number;
  status: string;
  tags: string[];
  targets: { spec: { id: string } }[];
  flag: boolean;
  note?: string;
}

describe('PgEntityStore', () => {
  let sim: TestSimulator;
  const t: Tenancy = { orgId: 'FAKEORG@AdobeOrg', sandbox: 'store-test' };
  const runs: RunLike[] = [
    { name: 'r1', flowId: 'f1', startedAt: 100, status: 'success', tags: ['a'], targets: [{ spec: { id: 's3' } }], flag: true, note: 'x' },
    { name: 'r2', flowId: 'f1', startedAt: 200, status: 'failed', tags: ['a', 'b'], targets: [{ spec: { id: 'gcs' } }], flag: false },
    { name: 'r3', flowId: 'f2', startedAt: 300, status: 'success', tags: [], targets: [], flag: true },
    { name: "o'hara; DROP TABLE x", flowId: 'f2', startedAt: 1000, status: 'inProgress', tags: ['b'], targets: [{ spec: { id: 's3' } }, { spec: { id: 'gcs' } }], flag: false },
  ];

  before(async () => {
    sim = await startSimulator();
    for (const run of runs) await sim.ctx.entities.create<RunLike>(t, 'run', () => run);
  });
  after(async () => sim.close());

  async function names(filters: string[], orderBy: 'createdAt' | '-createdAt' = 'createdAt'): Promise<string[]> {
    const page = await sim.ctx.entities.list<RunLike>(t, 'run', { filters: filters.map(parsePropertyFilter), limit: 100, orderBy });
    return page.items.map((e) => e.body.name);
  }

  test('== and != on scalars, including booleans and hostile values', async () => {
    assert.deepEqual(await names(['flowId==f1']), ['r1', 'r2']);
    assert.deepEqual(await names(['status!=success']), ['r2', "o'hara; DROP TABLE x"]);
    assert.deepEqual(await names(['flag==true']), ['r1', 'r3']);
    assert.deepEqual(await names(["name==o'hara; DROP TABLE x"]), ["o'hara; DROP TABLE x"]);
  });

  test('numeric > and < compare numbers, not strings', async () => {
    assert.deepEqual(await names(['startedAt>150']), ['r2', 'r3', "o'hara; DROP TABLE x"]);
    assert.deepEqual(await names(['startedAt<300']), ['r1', 'r2']);
    assert.deepEqual(await names(['startedAt>=300', 'startedAt<=300']), ['r3']);
  });

  test('array contains, also for arrays of objects; exists and not-exists', async () => {
    assert.deepEqual(await names(['tags[]==b']), ['r2', "o'hara; DROP TABLE x"]);
    assert.deepEqual(await names(['targets[].spec.id==s3']), ['r1', "o'hara; DROP TABLE x"]);
    assert.deepEqual(await names(['note']), ['r1']);
    assert.deepEqual(await names(['!note']), ['r2', 'r3', "o'hara; DROP TABLE x"]);
    assert.deepEqual(await names(['tags[]']), ['r1', 'r2', "o'hara; DROP TABLE x"]);
  });

  test('paths outside identifier characters are refused', async () => {
    await assert.rejects(sim.ctx.entities.list(t, 'run', { filters: [{ path: "a') OR 1=1 --", op: '==', value: 'x' }], limit: 10 }), InvalidFilterError);
  });

  test('ordering, pages and count', async () => {
    assert.deepEqual(await names([], '-createdAt'), [...runs.map((r) => r.name)].reverse());
    const first = await sim.ctx.entities.list<RunLike>(t, 'run', { filters: [], limit: 3, orderBy: '-createdAt' });
    assert.equal(first.items.length, 3);
    assert.ok(first.continuationToken);
    const second = await sim.ctx.entities.list<RunLike>(t, 'run', { filters: [], limit: 3, orderBy: '-createdAt', continuationToken: first.continuationToken });
    assert.deepEqual(second.items.map((e) => e.body.name), ['r1']);
    assert.equal(second.continuationToken, undefined);
    assert.equal(await sim.ctx.entities.count(t, 'run', [parsePropertyFilter('flowId==f2')]), 2);
    assert.equal(await sim.ctx.entities.count({ ...t, sandbox: 'elsewhere' }, 'run', []), 0, 'tenancies are isolated');
  });

  test('update with a stale etag reports the current entity; a fresh one writes a new etag', async () => {
    const created = await sim.ctx.entities.create<{ name: string; n: number }>(t, 'flow', () => ({ name: 'counter', n: 0 }));
    const stale = await sim.ctx.entities.update<{ name: string; n: number }>(t, 'flow', created.id, (b) => ({ ...b, n: 1 }), '"nope"');
    assert.equal(stale.outcome, 'etag_mismatch');
    const ok = await sim.ctx.entities.update<{ name: string; n: number }>(t, 'flow', created.id, (b) => ({ ...b, n: b.n + 1 }), created.etag);
    assert.equal(ok.outcome, 'updated');
    assert.ok(ok.outcome === 'updated' && ok.entity.etag !== created.etag && ok.entity.body.n === 1);
    assert.equal((await sim.ctx.entities.update(t, 'flow', 'missing', (b) => b)).outcome, 'not_found');
    assert.equal(await sim.ctx.entities.delete(t, 'flow', created.id), true);
    assert.equal(await sim.ctx.entities.get(t, 'flow', created.id), null);
  });

  test('createWithLimit never overshoots under concurrency', async () => {
    const tenancy = { ...t, sandbox: 'limit-test' };
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => sim.ctx.entities.createWithLimit(tenancy, 'connection', { filters: [], max: 5 }, () => ({ name: `c${i}` }))),
    );
    assert.equal(attempts.filter((a) => a !== null).length, 5);
    assert.equal(await sim.ctx.entities.count(tenancy, 'connection', []), 5);
  });
});

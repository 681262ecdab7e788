// /exports through HTTP with real Postgres, Redis and the simulator: accept, read, list, re-run,
// cancel, reschedule, and every way a request is refused.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPlatformClient } from '../../src/platform/client.js';
import { DESTINATION_SPECS } from '../../src/platform/spec-ids.js';
import { createTokenCache } from '../../src/platform/token-cache.js';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

interface ExportBody {
  id: string;
  status: string;
  step: string;
  datasetId: string;
  destinationId: string;
  path: string;
  format: string;
  compression: string;
  schedule: 'on-demand' | { every: string; startAt: string; endAt: string | null };
  callbackUrl: string | null;
  platform: Record<'baseConnectionId' | 'sourceConnectionId' | 'targetConnectionId' | 'flowId', string | null>;
  runs: { id: string; state: string; platformRunId: string | null }[];
  error: unknown;
  createdAt: string;
}

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { location: string; pointer: string; message: string }[];
  labels?: string[];
  refusedLabels?: string[];
}

let api: TestApi;
let destinationId: string;
/** Dataset ids of the simulator's seeded sandbox, computed from its seed (not read from our API). */
let datasets: Record<'events' | 'c9' | 'c12' | 'pspd' | 'rhd' | 'profiles', string>;

before(async () => {
  api = await startTestApi();
  const seeded = generateSeededDatasets({ seed: api.simulator.config.seed, orgId: api.simulator.orgId, sandbox: api.tenantA.sandbox }, 0);
  const idOf = (key: string) => seeded.find((d) => d.key === key)?.id ?? assert.fail(`no seeded dataset ${key}`);
  datasets = {
    events: idOf('experience-events'),
    profiles: idOf('profiles'),
    c9: idOf('events-no-data-science'),
    c12: idOf('contacts-no-export'),
    pspd: idOf('sensitive-profiles'),
    rhd: idOf('health-events'),
  };
  const res = await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz);
  assert.equal(res.statusCode, 201);
  destinationId = bodyOf<{ id: string }>(res).id;
});
after(async () => {
  await api.close();
});

const validBody = () => ({ datasetId: datasets.events, destinationId, path: 'ml/exports', format: 'parquet', compression: 'gzip' });

async function createExport(overrides: Record<string, unknown> = {}, key = api.keys.tenantA): Promise<ExportBody> {
  const res = await api.post(key, '/exports', { ...validBody(), ...overrides });
  assert.equal(res.statusCode, 202, res.body);
  return bodyOf<ExportBody>(res);
}

function expectFieldProblem(res: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, pointer: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(res.body) as Problem;
  assert.ok(problem.errors?.some((e) => e.pointer === pointer), `expected ${pointer} in ${res.body}`);
  return problem;
}

describe('POST /exports (happy)', () => {
  test('202 with Location; the row is committed queued/pending with a requested run, and the job is enqueued by id', async () => {
    const res = await api.post(api.keys.tenantA, '/exports', { ...validBody(), callbackUrl: 'https://hooks.example.com/aep' });
    assert.equal(res.statusCode, 202, res.body);
    const created = bodyOf<ExportBody>(res);
    assert.equal(res.headers.location, `http://api.test/exports/${created.id}`);
    assert.equal(created.status, 'queued');
    assert.equal(created.step, 'pending');
    assert.equal(created.schedule, 'on-demand');
    assert.equal(created.callbackUrl, 'https://hooks.example.com/aep');
    assert.deepEqual(created.platform, { baseConnectionId: null, sourceConnectionId: null, targetConnectionId: null, flowId: null });
    assert.deepEqual(
      created.runs.map((r) => r.state),
      ['requested'],
    );

    const row = await api.database.db.export.findUniqueOrThrow({ where: { id: created.id }, include: { runs: true } });
    assert.equal(row.tenantId, api.tenantA.id);
    assert.equal(row.status, 'queued');
    assert.equal(row.step, 'pending');
    assert.ok(row.nextCheckAt.getTime() <= Date.now());
    assert.equal(row.runs.length, 1);

    const job = await api.producer.queue('exports').getJob(created.id);
    assert.ok(job, 'job enqueued with the export id as job id');
    assert.deepEqual(job.data, { exportId: created.id });
    // The key the Redis-down test looks for (test/api/exports-redis-down.test.ts).
    assert.equal(await api.redis.exists(`${api.config.redis.queuePrefix}:exports:${created.id}`), 1);
  });

  test('a trailing slash in the path is dropped', async () => {
    const created = await createExport({ path: 'ml/trailing/' });
    assert.equal(created.path, 'ml/trailing');
  });

  test('a recurring export keeps its schedule (start defaults to now) and waits for its flow rather than requesting a run', async () => {
    const endAt = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
    const before = Date.now();
    const created = await createExport({ format: 'json', compression: 'gzip', schedule: { every: 'PT6H', endAt } });
    assert.ok(typeof created.schedule === 'object');
    assert.equal(created.schedule.every, 'PT6H');
    assert.equal(created.schedule.endAt, endAt);
    assert.ok(new Date(created.schedule.startAt).getTime() >= before - 1000);
    assert.deepEqual(created.runs, []);
  });

  test('PSPD is refused for tenant A but accepted for a tenant that allows sensitive labels', async () => {
    const refused = await api.post(api.keys.tenantA, '/exports', { ...validBody(), datasetId: datasets.pspd });
    assert.equal(refused.statusCode, 422);
    assert.deepEqual(bodyOf<Problem>(refused).refusedLabels, ['PSPD']);

    const permissive = await api.addTenant(`sensitive-${randomUUID().slice(0, 8)}`, { allowSensitiveLabels: true });
    const dest = bodyOf<{ id: string }>(await api.post(permissive.key, '/destinations', fakeDestinationBodies.dlz)).id;
    for (const datasetId of [datasets.pspd, datasets.rhd]) {
      const res = await api.post(permissive.key, '/exports', { ...validBody(), destinationId: dest, datasetId });
      assert.equal(res.statusCode, 202, res.body);
    }
  });
});

describe('POST /exports (refused)', () => {
  test('json without gzip: 400 naming compression', async () => {
    const problem = expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), format: 'json', compression: 'none' }), 400, '/compression');
    assert.equal(problem.code, 'validation_error');
  });

  test('unknown format or compression: 400 naming the field', async () => {
    expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), format: 'csv' }), 400, '/format');
    expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), compression: 'zstd' }), 400, '/compression');
  });

  test('unknown fields: 400 naming them', async () => {
    const res = await api.post(api.keys.tenantA, '/exports', { ...validBody(), priority: 'high' });
    assert.equal(res.statusCode, 400);
    assert.match(bodyOf<Problem>(res).detail, /priority/);
    const nested = await api.post(api.keys.tenantA, '/exports', { ...validBody(), schedule: { every: 'PT3H', cron: '* * * * *' } });
    assert.equal(nested.statusCode, 400);
    assert.match(bodyOf<Problem>(nested).detail, /cron/);
  });

  for (const field of ['datasetId', 'destinationId', 'path', 'format', 'compression'] as const) {
    test(`missing ${field}: 400 naming it`, async () => {
      const body: Record<string, unknown> = validBody();
      delete body[field];
      expectFieldProblem(await api.post(api.keys.tenantA, '/exports', body), 400, `/${field}`);
    });
  }

  for (const path of ['../escape', 'ml/../../escape', '/absolute/path', 'C:/windows', 'ml\\windows', 'ml//double', 'ml/\u0001ctl', '']) {
    test(`path ${JSON.stringify(path)}: 400 naming path`, async () => {
      expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), path }), 400, '/path');
    });
  }

  for (const url of ['http://hooks.example.com/x', 'https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://192.168.0.1/x', 'https://169.254.169.254/latest', 'https://[::1]/x', 'https://[::ffff:10.0.0.1]/x', 'https://localhost/x', 'https://user:pw@hooks.example.com/x']) {
    test(`callbackUrl ${url}: 400 naming callbackUrl`, async () => {
      expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), callbackUrl: url }), 400, '/callbackUrl');
    });
  }

  test('schedule: unsupported cadence and an end before the start are 400s naming the field', async () => {
    const cadence = await api.post(api.keys.tenantA, '/exports', { ...validBody(), schedule: { every: 'PT2H' } });
    assert.equal(cadence.statusCode, 400);
    assert.match(bodyOf<Problem>(cadence).detail, /every/);
    const window = { every: 'P1D', startAt: '2030-01-02T00:00:00Z', endAt: '2030-01-01T00:00:00Z' };
    expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), schedule: window }), 400, '/schedule/endAt');
  });

  test('schedule.exportMode: a daily full export on a recurring cadence is a 400 naming exportMode, before any Platform call', async () => {
    const recurringFull = await api.post(api.keys.tenantA, '/exports', { ...validBody(), schedule: { every: 'P1D', exportMode: 'DAILY_FULL_EXPORT' } });
    assert.match(JSON.stringify(expectFieldProblem(recurringFull, 400, '/schedule/exportMode')), /recurring full exports.*Daily full exports of datasets are not supported/);
    // Checked before the dataset is looked up at the Platform: an unknown dataset is not what it says.
    const unknownDataset = await api.post(api.keys.tenantA, '/exports', { ...validBody(), datasetId: '000000000000000000000000', schedule: { every: 'PT3H', exportMode: 'DAILY_FULL_EXPORT' } });
    expectFieldProblem(unknownDataset, 400, '/schedule/exportMode');
    const unknownMode = await api.post(api.keys.tenantA, '/exports', { ...validBody(), schedule: { every: 'PT3H', exportMode: 'WEEKLY' } });
    assert.equal(unknownMode.statusCode, 400);
    assert.match(unknownMode.body, /exportMode/);

    const incremental = await api.post(api.keys.tenantA, '/exports', { ...validBody(), schedule: { every: 'PT3H', exportMode: 'FIRST_FULL_THEN_INCREMENTAL' } });
    assert.equal(incremental.statusCode, 202, incremental.body);
    assert.equal(bodyOf<{ schedule: { exportMode: string } }>(incremental).schedule.exportMode, 'FIRST_FULL_THEN_INCREMENTAL');
  });

  test('unknown destination: 404 naming destinationId; another tenant\'s destination and a deleted one likewise', async () => {
    expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), destinationId: randomUUID() }), 404, '/destinationId');

    const other = bodyOf<{ id: string }>(await api.post(api.keys.tenantB, '/destinations', fakeDestinationBodies.dlz)).id;
    expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), destinationId: other }), 404, '/destinationId');

    const doomed = bodyOf<{ id: string }>(await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies.dlz)).id;
    assert.equal((await api.delete(api.keys.tenantA, `/destinations/${doomed}`)).statusCode, 204);
    expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), destinationId: doomed }), 404, '/destinationId');
  });

  test('a dataset the Platform does not know: 422 naming datasetId', async () => {
    const problem = expectFieldProblem(await api.post(api.keys.tenantA, '/exports', { ...validBody(), datasetId: 'ffffffffffffffffffffffff' }), 422, '/datasetId');
    assert.equal(problem.code, 'unprocessable');
  });

  for (const [label, key] of [['C9', 'c9'], ['C12', 'c12'], ['RHD', 'rhd']] as const) {
    test(`a ${label} dataset: 422 governance problem naming the label, and nothing is stored`, async () => {
      const before = await api.database.db.export.count();
      const res = await api.post(api.keys.tenantA, '/exports', { ...validBody(), datasetId: datasets[key] });
      assert.equal(res.statusCode, 422, res.body);
      const problem = bodyOf<Problem>(res);
      assert.equal(problem.code, 'governance_refused');
      assert.deepEqual(problem.refusedLabels, [label]);
      assert.match(problem.detail, new RegExp(label));
      assert.equal(await api.database.db.export.count(), before);
    });
  }

  test('the Platform being down while checking the dataset: 503 with Retry-After, nothing stored', async () => {
    const fresh = await api.addTenant(`flaky-${randomUUID().slice(0, 8)}`);
    const dest = bodyOf<{ id: string }>(await api.post(fresh.key, '/destinations', fakeDestinationBodies.dlz)).id;
    await api.simulator.setFaults({ rules: [{ match: { pathPrefix: '/data/foundation/catalog' }, effect: 'error5xx', status: 503 }] });
    try {
      const res = await api.post(fresh.key, '/exports', { ...validBody(), destinationId: dest });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(bodyOf<Problem>(res).code, 'service_unavailable');
      assert.ok(Number(res.headers['retry-after']) >= 1);
      assert.equal(await api.database.db.export.count({ where: { tenantId: fresh.id } }), 0);
    } finally {
      await api.simulator.setFaults({});
    }
  });
});

describe('GET /exports and /exports/:id', () => {
  test('the export reads back as accepted', async () => {
    const created = await createExport();
    const res = await api.get(api.keys.tenantA, `/exports/${created.id}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyOf(res), created);
  });

  test('404 for an unknown id, 400 for a malformed one', async () => {
    assert.equal((await api.get(api.keys.tenantA, `/exports/${randomUUID()}`)).statusCode, 404);
    expectFieldProblem(await api.get(api.keys.tenantA, '/exports/not-a-uuid'), 400, '/id');
  });

  test('filters by status, dataset, destination and creation window; pages without gaps or repeats', async () => {
    const tenant = await api.addTenant(`lister-${randomUUID().slice(0, 8)}`);
    const destA = bodyOf<{ id: string }>(await api.post(tenant.key, '/destinations', fakeDestinationBodies.dlz)).id;
    const destB = bodyOf<{ id: string }>(await api.post(tenant.key, '/destinations', fakeDestinationBodies.dlz)).id;
    const made: ExportBody[] = [];
    for (const [dest, datasetId] of [[destA, datasets.events], [destA, datasets.profiles], [destB, datasets.events], [destB, datasets.profiles], [destA, datasets.events]] as const) {
      made.push(await createExport({ destinationId: dest, datasetId }, tenant.key));
    }
    const failed = made[1]!;
    await api.database.db.export.update({ where: { id: failed.id }, data: { status: 'failed' } });

    const list = async (query: string) => {
      const res = await api.get(tenant.key, `/exports?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return bodyOf<{ items: ExportBody[]; nextCursor: string | null }>(res);
    };
    const ids = (items: ExportBody[]) => new Set(items.map((e) => e.id));

    assert.deepEqual(ids((await list('status=failed')).items), new Set([failed.id]));
    assert.deepEqual(ids((await list('status=queued,failed')).items), ids(made));
    assert.deepEqual(ids((await list(`destinationId=${destB}`)).items), new Set(made.filter((e) => e.destinationId === destB).map((e) => e.id)));
    assert.deepEqual(ids((await list(`datasetId=${datasets.profiles}`)).items), new Set(made.filter((e) => e.datasetId === datasets.profiles).map((e) => e.id)));
    const third = made[2]!;
    const since = await list(`createdAfter=${encodeURIComponent(third.createdAt)}`);
    assert.deepEqual(ids(since.items), new Set(made.filter((e) => e.createdAt >= third.createdAt).map((e) => e.id)));
    const until = await list(`createdBefore=${encodeURIComponent(third.createdAt)}`);
    assert.deepEqual(ids(until.items), new Set(made.filter((e) => e.createdAt < third.createdAt).map((e) => e.id)));

    const seen: ExportBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(seen.length, made.length);
    assert.deepEqual(ids(seen), ids(made));
    const order = seen.map((e) => `${e.createdAt}|${e.id}`);
    assert.deepEqual(order, [...order].sort().reverse());
  });

  test('bad filters: 400 naming the parameter', async () => {
    expectFieldProblem(await api.get(api.keys.tenantA, '/exports?status=done'), 400, '/status');
    expectFieldProblem(await api.get(api.keys.tenantA, '/exports?destinationId=nope'), 400, '/destinationId');
    expectFieldProblem(await api.get(api.keys.tenantA, '/exports?createdAfter=yesterday'), 400, '/createdAfter');
    expectFieldProblem(await api.get(api.keys.tenantA, '/exports?createdAfter=2030-01-02T00:00:00Z&createdBefore=2030-01-01T00:00:00Z'), 400, '/createdBefore');
    const unknown = await api.get(api.keys.tenantA, '/exports?sort=asc');
    assert.equal(unknown.statusCode, 400);
    assert.match(bodyOf<Problem>(unknown).detail, /sort/);
  });
});

describe('POST /exports/:id/runs', () => {
  test('409 while the first run is still wanted; after it finished, another run is requested and enqueued', async () => {
    const created = await createExport();
    const busy = await api.post(api.keys.tenantA, `/exports/${created.id}/runs`);
    assert.equal(busy.statusCode, 409, busy.body);

    // What the worker does when the run ends.
    await api.database.db.exportRun.updateMany({ where: { exportId: created.id }, data: { state: 'succeeded', completedAt: new Date() } });
    await api.database.db.export.update({ where: { id: created.id }, data: { status: 'succeeded', step: 'done', finishedAt: new Date() } });
    await api.producer.queue('exports').remove(created.id);

    const again = await api.post(api.keys.tenantA, `/exports/${created.id}/runs`);
    assert.equal(again.statusCode, 202, again.body);
    const body = bodyOf<ExportBody>(again);
    assert.equal(body.status, 'queued');
    assert.equal(body.step, 'pending');
    assert.deepEqual(
      body.runs.map((r) => r.state),
      ['succeeded', 'requested'],
    );
    assert.ok(await api.producer.queue('exports').getJob(created.id), 're-enqueued');

    const third = await api.post(api.keys.tenantA, `/exports/${created.id}/runs`);
    assert.equal(third.statusCode, 409);
  });

  test('two concurrent re-run requests: exactly one wins', async () => {
    const created = await createExport();
    await api.database.db.exportRun.updateMany({ where: { exportId: created.id }, data: { state: 'failed' } });
    await api.database.db.export.update({ where: { id: created.id }, data: { status: 'failed' } });
    const answers = await Promise.all([1, 2, 3].map(() => api.post(api.keys.tenantA, `/exports/${created.id}/runs`)));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [202, 409, 409]);
    assert.equal(await api.database.db.exportRun.count({ where: { exportId: created.id, state: 'requested' } }), 1);
  });

  test('404 for an unknown export', async () => {
    assert.equal((await api.post(api.keys.tenantA, `/exports/${randomUUID()}/runs`)).statusCode, 404);
  });
});

describe('POST /exports/:id/cancel', () => {
  test('cancels a queued export and its requested run, enqueues it for the worker, and is idempotent', async () => {
    const created = await createExport();
    await api.producer.queue('exports').remove(created.id);
    const res = await api.post(api.keys.tenantA, `/exports/${created.id}/cancel`);
    assert.equal(res.statusCode, 202, res.body);
    const body = bodyOf<ExportBody>(res);
    assert.equal(body.status, 'cancelled');
    assert.deepEqual(
      body.runs.map((r) => r.state),
      ['cancelled'],
    );
    assert.ok(await api.producer.queue('exports').getJob(created.id), 'enqueued so the worker disables the flow');
    assert.equal((await api.post(api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    assert.equal((await api.post(api.keys.tenantA, `/exports/${created.id}/runs`)).statusCode, 409);
  });

  test('409 for an on-demand export that already finished; a finished recurring export can still be cancelled', async () => {
    const onDemand = await createExport();
    await api.database.db.export.update({ where: { id: onDemand.id }, data: { status: 'succeeded' } });
    assert.equal((await api.post(api.keys.tenantA, `/exports/${onDemand.id}/cancel`)).statusCode, 409);

    const recurring = await createExport({ schedule: { every: 'P1D' } });
    await api.database.db.export.update({ where: { id: recurring.id }, data: { status: 'succeeded' } });
    const res = await api.post(api.keys.tenantA, `/exports/${recurring.id}/cancel`);
    assert.equal(res.statusCode, 202);
    assert.equal(bodyOf<ExportBody>(res).status, 'cancelled');
  });
});

describe('PATCH /exports/:id', () => {
  test('422 for an on-demand export; 400 for an empty or unknown change', async () => {
    const onDemand = await createExport();
    expectFieldProblem(await api.patch(api.keys.tenantA, `/exports/${onDemand.id}`, { schedule: { every: 'PT3H' } }), 422, '/schedule');
    assert.equal((await api.patch(api.keys.tenantA, `/exports/${onDemand.id}`, { schedule: {} })).statusCode, 400);
    assert.equal((await api.patch(api.keys.tenantA, `/exports/${onDemand.id}`, { path: 'elsewhere' })).statusCode, 400);
  });

  test('changes the schedule of a recurring export whose flow does not exist yet', async () => {
    const created = await createExport({ schedule: { every: 'PT3H' } });
    const res = await api.patch(api.keys.tenantA, `/exports/${created.id}`, { schedule: { every: 'PT12H' } });
    assert.equal(res.statusCode, 200, res.body);
    const body = bodyOf<ExportBody>(res);
    assert.ok(typeof body.schedule === 'object' && typeof created.schedule === 'object');
    assert.equal(body.schedule.every, 'PT12H');
    assert.equal(body.schedule.startAt, created.schedule.startAt);
  });

  test('changes the Platform flow first (PATCH with If-Match) when the flow exists', async () => {
    const created = await createExport({ schedule: { every: 'PT3H' } });
    // Build the flow at the simulator as the worker would, and record it on a binding.
    const target = {
      imsUrl: api.simulator.url,
      platformUrl: api.simulator.url,
      orgId: api.simulator.orgId,
      sandbox: api.tenantA.sandbox,
      clientId: api.simulator.clientId,
      clientSecret: api.simulator.clientSecret,
      scopes: ['openid'],
    };
    const tokens = createTokenCache();
    const platform = createPlatformClient({ target, tokens });
    try {
      const dlz = DESTINATION_SPECS.dataLandingZone;
      const suffix = randomUUID();
      const base = await platform.createBaseConnection({ name: `base-${suffix}`, connectionSpecId: dlz.connectionSpecId, auth: null });
      const source = await platform.createSourceConnection({ name: `src-${suffix}`, datasetId: datasets.events });
      const targetConnection = await platform.createTargetConnection({
        name: `tgt-${suffix}`,
        baseConnectionId: base.id,
        connectionSpecId: dlz.connectionSpecId,
        params: { mode: 'Server-to-server', path: 'ml/exports', datasetFileType: 'PARQUET', compression: 'GZIP' },
      });
      const flow = await platform.createFlow({
        name: `flow-${suffix}`,
        flowSpecId: dlz.datasetFlowSpecId,
        sourceConnectionId: source.id,
        targetConnectionId: targetConnection.id,
        scheduleParams: { interval: 3, timeUnit: 'hour', startTime: Math.floor(Date.now() / 1000) },
      });
      const before = await platform.getFlow(flow.id);
      const binding = await api.database.db.flowBinding.create({
        data: {
          id: randomUUID(),
          tenantId: api.tenantA.id,
          destinationId,
          datasetId: datasets.events,
          path: 'ml/exports',
          format: 'parquet',
          compression: 'gzip',
          scheduleKey: `recurring:${created.id}`,
          sourceConnectionId: source.id,
          targetConnectionId: targetConnection.id,
          flowId: flow.id,
        },
      });
      await api.database.db.export.update({ where: { id: created.id }, data: { flowBindingId: binding.id, status: 'running', step: 'poll_run' } });

      const endAt = new Date(Date.now() + 30 * 24 * 3600_000);
      const res = await api.patch(api.keys.tenantA, `/exports/${created.id}`, { schedule: { every: 'P1D', endAt: endAt.toISOString() } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(bodyOf<ExportBody>(res).platform.flowId, flow.id);

      const afterPatch = await platform.getFlow(flow.id);
      assert.equal(afterPatch.scheduleParams?.interval, 1);
      assert.equal(afterPatch.scheduleParams?.timeUnit, 'day');
      assert.equal(afterPatch.scheduleParams?.endTime, Math.floor(endAt.getTime() / 1000));
      assert.notEqual(afterPatch.etag, before.etag, 'the flow was written');
    } finally {
      await platform.close();
      await tokens.close();
    }
  });

  test('409 for a cancelled export', async () => {
    const created = await createExport({ schedule: { every: 'PT3H' } });
    assert.equal((await api.post(api.keys.tenantA, `/exports/${created.id}/cancel`)).statusCode, 202);
    assert.equal((await api.patch(api.keys.tenantA, `/exports/${created.id}`, { schedule: { every: 'PT6H' } })).statusCode, 409);
  });
});

// After one export, the API's /metrics and the worker's listener show the counters operations
// needs, with values checked against what happened: requests this test made, Platform objects the
// simulator holds, tokens the simulator issued, the one injected 503, and BullMQ's own counts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { queueNames } from '../../src/jobs/catalog.js';
import { startMetricsServer, type RunningMetricsServer } from '../../src/metrics/metrics-server.js';
import { bodyOf } from '../support/api.js';
import { countAtPlatform, createDestination, createExport, datasetIdByName, EVENTS_DATASET, startWorld, type World } from '../worker/helpers.js';
import { hasSample, parsePrometheus, sumOf, type Sample } from './support.js';

const metricsToken = 'fake-metrics-token-for-tests';

async function tokensIssuedBySimulator(world: World): Promise<number> {
  const { rows } = await world.sim.ctx.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${world.sim.config.dbSchema}".ims_tokens`);
  return Number(rows[0]?.n);
}

describe('metrics after an export', () => {
  let world: World;
  let workerMetrics: RunningMetricsServer;
  let api: Sample[];
  let worker: Sample[];
  let finished: ExportView;
  let getCalls = 0;
  let tokensIssued = 0;

  before(async () => {
    // Short-lived IMS tokens so the export also refreshes them.
    world = await startWorld({ simulator: { tokenTtlSeconds: 2 }, env: { METRICS_TOKEN: metricsToken } });
    const workerRunning = world.worker;
    assert.ok(workerRunning);
    workerMetrics = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: workerRunning.metrics, token: metricsToken, logger: pino({ level: 'silent' }) });
    // Every Platform call of this test's API and worker comes after this count.
    const tokensBefore = await tokensIssuedBySimulator(world);

    // Exactly one 503 from the Catalog: the caller retries it once. Set before the dataset list,
    // whose per-dataset reads (schema references for the fields) also fill the facts cache that
    // the export's acceptance then uses.
    await world.sim.setFaults({ rules: [{ match: { method: 'GET', pathPrefix: '/data/foundation/catalog/dataSets/' }, effect: 'error5xx', count: 1 }] });
    const datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    const destinationId = await createDestination(world.api, 'dlz');

    const created = await createExport(world.api, { datasetId, destinationId, path: 'metrics/a' });
    for (;;) {
      const response = await world.api.get(world.api.keys.tenantA, `/exports/${created.id}`);
      getCalls += 1;
      finished = bodyOf<ExportView>(response);
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(finished.status)) break;
      await sleep(100);
    }
    tokensIssued = (await tokensIssuedBySimulator(world)) - tokensBefore;

    const scrape = await world.api.call(null, { method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(scrape.statusCode, 200, scrape.body);
    api = parsePrometheus(scrape.body);
    const workerScrape = await fetch(`${workerMetrics.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(workerScrape.status, 200);
    worker = parsePrometheus(await workerScrape.text());
  });

  after(async () => {
    await workerMetrics?.close();
    await world?.close();
  });

  test('the export succeeded (the rest of this suite reads its metrics)', () => {
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished.error));
  });

  test('HTTP latency by route pattern counts exactly the requests made', () => {
    const name = 'aepj_http_request_duration_seconds_count';
    assert.equal(sumOf(api, name, { method: 'POST', route: '/exports', status_code: '202' }), 1);
    assert.equal(sumOf(api, name, { method: 'GET', route: '/exports/:id', status_code: '200' }), getCalls);
    // Ids never become label values.
    assert.ok(!api.some((s) => Object.values(s.labels).some((v) => v.includes(finished.id))));
    assert.ok(sumOf(api, 'aepj_http_request_duration_seconds_sum', { route: '/exports/:id' }) > 0);
  });

  test('queue depths are read from BullMQ at scrape time', async () => {
    const counts = await world.api.producer.queue(queueNames.exports).getJobCounts();
    for (const [state, count] of Object.entries(counts)) {
      assert.equal(sumOf(api, 'aepj_queue_jobs', { queue: 'exports', state }), count, state);
      assert.ok(hasSample(api, 'aepj_queue_jobs', { queue: 'exports', state }), state);
    }
    assert.equal(counts.active, 0);
  });

  test('job durations by outcome: one finished activation, after waiting for the Platform', () => {
    const name = 'aepj_job_duration_seconds_count';
    assert.equal(sumOf(worker, name, { queue: 'exports', job: 'export.run', outcome: 'finished' }), 1);
    assert.ok(sumOf(worker, name, { outcome: 'waiting' }) >= 1, 'the export waited for the Platform at least once');
    assert.equal(sumOf(worker, name, { outcome: 'error' }), 0);
    assert.ok(sumOf(worker, 'aepj_job_duration_seconds_sum', { outcome: 'finished' }) > 0);
  });

  test('Platform calls by endpoint and status match the objects the Platform holds', async () => {
    const calls = 'aepj_platform_calls_total';
    const created = (endpoint: string) =>
      worker.filter((s) => s.name === calls && s.labels.endpoint === endpoint && /^2\d\d$/.test(s.labels.status ?? '')).reduce((n, s) => n + s.value, 0);
    assert.equal(created('flows.create'), await countAtPlatform(world.sim, 'flows'));
    assert.equal(created('connections.create'), await countAtPlatform(world.sim, 'connections'));
    assert.equal(created('adhocRun.create'), 1);
    // The API read the dataset and its labels to accept the export.
    assert.ok(sumOf(api, calls, { endpoint: 'datasetLabels.get', method: 'GET', status: '200' }) >= 1);
    assert.ok(sumOf(worker, 'aepj_platform_call_duration_seconds_count', { endpoint: 'flows.create', method: 'POST' }) >= 1);
  });

  test('the one injected 503 was retried once', () => {
    const both = [...api, ...worker];
    assert.equal(sumOf(both, 'aepj_platform_calls_total', { endpoint: 'datasets.get', status: '503' }), 1);
    assert.equal(sumOf(both, 'aepj_platform_retries_total', { endpoint: 'datasets.get' }), 1);
  });

  test('IMS token requests equal the tokens the simulator issued, refreshes included', () => {
    const issued = sumOf([...api, ...worker], 'aepj_ims_token_requests_total', { outcome: 'issued' });
    assert.equal(issued, tokensIssued);
    // API and worker each fetched at least one; the 2 s tokens were refreshed during the export.
    assert.ok(sumOf(api, 'aepj_ims_token_requests_total', { outcome: 'issued' }) >= 1);
    assert.ok(sumOf(worker, 'aepj_ims_token_requests_total', { outcome: 'issued' }) >= 2);
  });

  test('with METRICS_TOKEN set, /metrics refuses scrapes without it', async () => {
    assert.equal((await world.api.get(null, '/metrics')).statusCode, 401);
    assert.equal((await world.api.call(null, { method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-000000' } })).statusCode, 401);
    assert.equal((await fetch(`${workerMetrics.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${workerMetrics.url}/healthz`)).status, 200);
  });
});

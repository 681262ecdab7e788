// Read path (issue #5): with 1,000,000 export rows, GET /exports/:id and GET /exports list pages,
// p99 and page 1 against page 1,000 (keyset pagination is meant to keep them equal).
//   npm run bench:read-path            (BENCH_QUICK=1: 50,000 rows, page 100, short runs)
// API process only (reads need no worker). The rows are seeded with SQL; every figure below is an
// HTTP measurement against the API except the EXPLAIN plans and the keyset-bound comparison, which
// are run straight against Postgres to show where a list page's time goes.
import { findExport, listExports } from '../src/exports/export-store.js';
import { decodeCursor } from '../src/pagination.js';
import { fakeDestinationBodies } from '../test/support/api.js';
import { startBenchWorld } from './lib/bench-world.js';
import { openLoop } from './lib/open-loop.js';
import { printTable, writeResult } from './lib/report.js';
import { compareKeysetBound, type KeysetBoundComparison } from './read-path-keyset-bound.js';
import { meteredClosedLoop, timeSequential } from './read-path-load.js';
import { captureQueries, explain, type ExplainedQuery } from './read-path-plans.js';
import { failedRequests, pageRatios, printReadPath, readPathFindings, type ReadPathFigures } from './read-path-report.js';
import { randomExportIds, seedExports } from './read-path-seed.js';
import { pagePath, walkToPage } from './read-path-walk.js';

const quick = process.env.BENCH_QUICK === '1';
const settings = {
  quick,
  rows: quick ? 50_000 : 1_000_000,
  spanDays: 365,
  pageSize: 100,
  deepPage: quick ? 100 : 1000,
  connections: 50,
  closedLoopSeconds: quick ? 5 : 30,
  openLoopSeconds: quick ? 5 : 30,
  /** The open loop's rate as a share of the closed loop's throughput: below saturation. */
  openLoopShareOfMax: 0.5,
  sequentialRequests: quick ? 200 : 1000,
  filteredSequentialRequests: quick ? 100 : 500,
  randomIds: quick ? 5000 : 50_000,
  statementRepeats: quick ? 30 : 200,
  warmUpRequests: quick ? 200 : 1000,
  datasets: 4,
};
/** A deep page slower than page 1 by more than this factor (sequential p50) is a missed target. */
const equalPagesTolerance = 1.5;

const startedAt = new Date();
const world = await startBenchWorld({ label: 'read' });
let failed = false;
try {
  const api = await world.startApi();
  const destinationId = await world.createDestination({ ...fakeDestinationBodies.dlz, name: 'bench read' });
  const datasetIds = [...(await world.datasets()).values()].slice(0, settings.datasets);
  const tenantId = (await world.pool.query<{ id: string }>('SELECT id::text AS id FROM tenants')).rows[0]?.id;
  if (tenantId === undefined) throw new Error('the world has no tenant');

  console.log(`seeding ${settings.rows} exports ...`);
  const seed = await seedExports(world.pool, { rows: settings.rows, tenantId, destinationId, datasetIds, spanDays: settings.spanDays });
  printTable('Seeded history', [
    { rows: seed.rows, runs: seed.runs, 'flow bindings': seed.flowBindings, 'insert s': seed.insertSeconds, 'vacuum analyze s': seed.vacuumAnalyzeSeconds, 'exports MiB': seed.tableMiB.exports ?? null, 'export_runs MiB': seed.tableMiB.export_runs ?? null },
  ]);

  const ids = await randomExportIds(world.pool, tenantId, settings.randomIds);
  const headers = { authorization: `Bearer ${world.apiKey}` };
  const randomIdPath = (): string => `/exports/${ids[Math.floor(Math.random() * ids.length)] ?? ''}`;
  const listPath = `/exports?limit=${settings.pageSize}`;
  const filteredListPath = `${listPath}&status=succeeded`;

  // JIT, connection pools and caches warm before anything is timed.
  await timeSequential(api.url, headers, (i) => (i % 2 === 0 ? randomIdPath() : listPath), settings.warmUpRequests);

  console.log(`walking to page ${settings.deepPage} (unfiltered and status=succeeded) ...`);
  const walk = await walkToPage(api.url, headers, listPath, settings.deepPage);
  const filteredWalk = await walkToPage(api.url, headers, filteredListPath, settings.deepPage);
  const deepPath = pagePath(listPath, walk.cursor);
  const filteredDeepPath = pagePath(filteredListPath, filteredWalk.cursor);
  await checkDeepPage(deepPath);

  const closedLoopOn = (path: () => string) =>
    meteredClosedLoop({ url: api.url, headers, connections: settings.connections, durationSeconds: settings.closedLoopSeconds, path });

  console.log('GET /exports/:id ...');
  const getSequential = await timeSequential(api.url, headers, randomIdPath, settings.sequentialRequests);
  const getClosed = await closedLoopOn(randomIdPath);
  const openRate = Math.max(1, Math.round(getClosed.load.requestsPerSecond * settings.openLoopShareOfMax));
  const getOpen = await openLoop({
    url: api.url,
    ratePerSecond: openRate,
    durationSeconds: settings.openLoopSeconds,
    request: (i) => ({ method: 'GET', path: `/exports/${ids[i % ids.length] ?? ''}`, headers }),
  });

  console.log(`GET ${listPath}: page 1 and page ${settings.deepPage} ...`);
  const page1Sequential = await timeSequential(api.url, headers, () => listPath, settings.sequentialRequests);
  const deepSequential = await timeSequential(api.url, headers, () => deepPath, settings.sequentialRequests);
  const page1Closed = await closedLoopOn(() => listPath);
  const deepClosed = await closedLoopOn(() => deepPath);
  const filteredPage1Sequential = await timeSequential(api.url, headers, () => filteredListPath, settings.filteredSequentialRequests);
  const filteredDeepSequential = await timeSequential(api.url, headers, () => filteredDeepPath, settings.filteredSequentialRequests);

  console.log('EXPLAIN ...');
  const databaseUrl = world.env.DATABASE_URL as string;
  const keysetOf = (cursor: string | null) => (cursor === null ? undefined : (decodeCursor(cursor) ?? undefined));
  const capture = (action: Parameters<typeof captureQueries>[1]) => captureQueries(databaseUrl, action);
  const queries = {
    getById: await capture((db) => findExport(db, tenantId, ids[0] as string)),
    listPage1: await capture((db) => listExports(db, tenantId, {}, { limit: settings.pageSize })),
    listDeep: await capture((db) => listExports(db, tenantId, {}, { limit: settings.pageSize, after: keysetOf(walk.cursor) })),
    filteredPage1: await capture((db) => listExports(db, tenantId, { statuses: ['succeeded'] }, { limit: settings.pageSize })),
    filteredDeep: await capture((db) => listExports(db, tenantId, { statuses: ['succeeded'] }, { limit: settings.pageSize, after: keysetOf(filteredWalk.cursor) })),
  };
  const plans: Record<string, ExplainedQuery[]> = {};
  for (const [name, statements] of Object.entries(queries)) {
    const explained: ExplainedQuery[] = [];
    for (const statement of statements) explained.push(await explain(world.pool, statement));
    plans[name] = explained;
  }

  // The keyset statement of the deep pages with and without the implied created_at bound.
  const keysetBound: KeysetBoundComparison[] = [];
  for (const name of ['listDeep', 'filteredDeep'] as const) {
    const original = queries[name][0];
    const comparison = original ? await compareKeysetBound(world.pool, name, original, settings.statementRepeats) : null;
    if (comparison) keysetBound.push(comparison);
  }

  const figures: ReadPathFigures = {
    rows: settings.rows,
    deepPage: settings.deepPage,
    connections: settings.connections,
    listPath,
    filteredListPath,
    getById: { sequential: getSequential, closedLoop: getClosed, openLoop: getOpen },
    list: { page1: { sequential: page1Sequential, closedLoop: page1Closed }, deep: { sequential: deepSequential, closedLoop: deepClosed } },
    filtered: { page1: filteredPage1Sequential, deep: filteredDeepSequential },
    walks: { unfiltered: walk, filtered: filteredWalk },
    plans,
    keysetBound,
  };
  const ratios = pageRatios(figures);
  printReadPath(figures, ratios);
  const findings = readPathFindings(figures, ratios, equalPagesTolerance);
  for (const finding of findings) console.log(`\n${finding}`);

  const failures = failedRequests(figures);
  if (failures > 0) {
    failed = true;
    console.error(`\n${failures} requests failed (non-2xx or network errors)`);
  }
  if (keysetBound.some((k) => !k.sameRows)) {
    failed = true;
    console.error('\nthe bounded keyset statement returned other rows than the original');
  }

  const file = await writeResult('read-path', startedAt, settings, {
    seed,
    // Every page's latency on the way down: how a page's cost grows with its depth.
    walks: { unfiltered: { ...walk, pageMs: walk.pageMs.map(round2) }, filtered: { ...filteredWalk, pageMs: filteredWalk.pageMs.map(round2) } },
    getById: figures.getById,
    list: { ...figures.list, filtered: { status: 'succeeded', ...figures.filtered }, ratios },
    plans,
    keysetBound,
    findings,
  });
  console.log(`\nwrote ${file}`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await world.close();
}
process.exit(failed ? 1 : 0);

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The deep page must start right after the rows of the pages before it (newest first). */
async function checkDeepPage(path: string): Promise<void> {
  const answer = await world.request<{ items: { id: string }[] }>('GET', path);
  const { rows } = await world.pool.query<{ id: string }>('SELECT id::text AS id FROM exports ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1', [
    (settings.deepPage - 1) * settings.pageSize,
  ]);
  if (answer.status !== 200 || answer.body.items[0]?.id !== rows[0]?.id) {
    throw new Error(`page ${settings.deepPage} starts with ${answer.body.items[0]?.id ?? 'nothing'}, expected ${rows[0]?.id ?? 'a row'}`);
  }
}

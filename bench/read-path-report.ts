// The read benchmark's tables and findings, computed from its measurements only: latencies per
// request kind, deep page against page 1, the walk, the plans, the keyset-bound comparison, CPU by
// process, and a plain statement of whether deep pages cost the same as page 1 and why not.
import type { ClosedLoopResult } from './lib/closed-loop.js';
import type { OpenLoopResult } from './lib/open-loop.js';
import type { CpuUsage } from './lib/process-usage.js';
import { printTable, type TableRow } from './lib/report.js';
import { summarize } from './lib/stats.js';
import type { KeysetBoundComparison } from './read-path-keyset-bound.js';
import type { MeteredClosedLoop, SequentialResult } from './read-path-load.js';
import { planShape, rowsFilteredOut, type ExplainedQuery } from './read-path-plans.js';
import type { WalkResult } from './read-path-walk.js';

export interface ReadPathFigures {
  rows: number;
  deepPage: number;
  connections: number;
  listPath: string;
  filteredListPath: string;
  getById: { sequential: SequentialResult; closedLoop: MeteredClosedLoop; openLoop: OpenLoopResult };
  list: { page1: { sequential: SequentialResult; closedLoop: MeteredClosedLoop }; deep: { sequential: SequentialResult; closedLoop: MeteredClosedLoop } };
  filtered: { page1: SequentialResult; deep: SequentialResult };
  walks: { unfiltered: WalkResult; filtered: WalkResult };
  plans: Record<string, ExplainedQuery[]>;
  keysetBound: KeysetBoundComparison[];
}

export interface PageRatios {
  sequentialP50: number;
  sequentialP99: number;
  closedLoopP99: number;
  closedLoopThroughput: number;
  filteredSequentialP50: number;
}

const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

/** Deep page / page 1. */
export function pageRatios(f: ReadPathFigures): PageRatios {
  const { page1, deep } = f.list;
  return {
    sequentialP50: ratio(deep.sequential.latency.p50Ms, page1.sequential.latency.p50Ms),
    sequentialP99: ratio(deep.sequential.latency.p99Ms, page1.sequential.latency.p99Ms),
    closedLoopP99: ratio(deep.closedLoop.load.latencyP99Ms, page1.closedLoop.load.latencyP99Ms),
    closedLoopThroughput: ratio(deep.closedLoop.load.requestsPerSecond, page1.closedLoop.load.requestsPerSecond),
    filteredSequentialP50: ratio(f.filtered.deep.latency.p50Ms, f.filtered.page1.latency.p50Ms),
  };
}

const answered = (statuses: Record<string, number>): number => Object.values(statuses).reduce((n, c) => n + c, 0);

/** Requests answered other than 2xx, or not at all. */
export function failedRequests(f: ReadPathFigures): number {
  const sequential = [f.getById.sequential, f.list.page1.sequential, f.list.deep.sequential, f.filtered.page1, f.filtered.deep];
  const closed = [f.getById.closedLoop, f.list.page1.closedLoop, f.list.deep.closedLoop];
  return (
    sequential.reduce((n, r) => n + answered(r.statuses) - (r.statuses['200'] ?? 0), 0) +
    closed.reduce((n, { load }) => n + load.non2xx + load.errors + load.timeouts, 0) +
    f.getById.openLoop.errors
  );
}

export function printReadPath(f: ReadPathFigures, ratios: PageRatios): void {
  const deep = `page ${f.deepPage}`;
  const sequentialRow = (what: string, r: SequentialResult): TableRow => ({
    request: what,
    mode: 'sequential',
    requests: r.latency.count,
    'req/s': null,
    'p50 ms': r.latency.p50Ms,
    'p99 ms': r.latency.p99Ms,
    'max ms': r.latency.maxMs,
    'non-2xx': answered(r.statuses) - (r.statuses['200'] ?? 0),
  });
  const closedRow = (what: string, r: ClosedLoopResult): TableRow => ({
    request: what,
    mode: `autocannon ${f.connections} conn`,
    requests: r.ok2xx + r.non2xx,
    'req/s': r.requestsPerSecond,
    'p50 ms': r.latencyP50Ms,
    'p99 ms': r.latencyP99Ms,
    'max ms': r.latencyMaxMs,
    'non-2xx': r.non2xx + r.errors + r.timeouts,
  });
  const open = f.getById.openLoop;
  printTable(`Read path, ${f.rows} rows (latency seen by the client; open loop from the scheduled send time)`, [
    sequentialRow('GET /exports/:id', f.getById.sequential),
    closedRow('GET /exports/:id', f.getById.closedLoop.load),
    { request: 'GET /exports/:id', mode: `open loop ${open.targetRate}/s`, requests: open.sent, 'req/s': open.achievedRate, 'p50 ms': open.latency.p50Ms, 'p99 ms': open.latency.p99Ms, 'max ms': open.latency.maxMs, 'non-2xx': open.errors },
    sequentialRow('list page 1', f.list.page1.sequential),
    sequentialRow(`list ${deep}`, f.list.deep.sequential),
    closedRow('list page 1', f.list.page1.closedLoop.load),
    closedRow(`list ${deep}`, f.list.deep.closedLoop.load),
    sequentialRow('status=succeeded page 1', f.filtered.page1),
    sequentialRow(`status=succeeded ${deep}`, f.filtered.deep),
  ]);

  printTable(`${deep} / page 1`, [
    { measure: 'sequential p50', ratio: ratios.sequentialP50 },
    { measure: 'sequential p99', ratio: ratios.sequentialP99 },
    { measure: 'autocannon p99', ratio: ratios.closedLoopP99 },
    { measure: 'autocannon req/s', ratio: ratios.closedLoopThroughput },
    { measure: 'status=succeeded sequential p50', ratio: ratios.filteredSequentialP50 },
  ]);

  const walkRow = (path: string, w: WalkResult): TableRow => ({
    walk: path,
    pages: w.pageMs.length,
    seconds: w.seconds,
    'pages 1-10 mean ms': summarize(w.pageMs.slice(0, 10)).meanMs,
    'last 10 pages mean ms': summarize(w.pageMs.slice(-10)).meanMs,
  });
  printTable('Walking nextCursor (one page after another)', [walkRow(f.listPath, f.walks.unfiltered), walkRow(f.filteredListPath, f.walks.filtered)]);

  printTable(
    'EXPLAIN (ANALYZE, BUFFERS) of the statements the store functions send',
    Object.entries(f.plans).flatMap(([name, plans]) =>
      plans.map((plan) => ({
        query: name,
        table: plan.table,
        plan: planShape(plan),
        'rows removed by filter': rowsFilteredOut(plan),
        'buffers hit+read': (plan.nodes[0]?.sharedHitBlocks ?? 0) + (plan.nodes[0]?.sharedReadBlocks ?? 0),
        'exec ms': plan.executionMs,
      })),
    ),
  );

  printTable(
    'Deep-page keyset statement with the implied created_at <= bound added (straight against Postgres)',
    f.keysetBound.map((k) => ({
      query: k.query,
      'same rows': k.sameRows ? 'yes' : 'NO',
      'original p50 ms': k.original.latency.p50Ms,
      'bounded p50 ms': k.bounded.latency.p50Ms,
      'original rows removed': rowsFilteredOut(k.original.plan),
      'bounded rows removed': rowsFilteredOut(k.bounded.plan),
      'bounded plan': planShape(k.bounded.plan),
    })),
  );

  const cpuRow = (what: string, cpu: CpuUsage): TableRow => ({ run: what, ...Object.fromEntries(Object.entries(cpu.byGroup).slice(0, 6)) });
  printTable(`CPU during the autocannon runs, % of one core (machine: ${f.getById.closedLoop.cpu.capacityPercent} %)`, [
    cpuRow('GET /exports/:id', f.getById.closedLoop.cpu),
    cpuRow('list page 1', f.list.page1.closedLoop.cpu),
    cpuRow(`list ${deep}`, f.list.deep.closedLoop.cpu),
  ]);
}

/** Plain statements of what the figures show; `tolerance` is the deep/page-1 p50 ratio still counted as equal. */
export function readPathFindings(f: ReadPathFigures, ratios: PageRatios, tolerance: number): string[] {
  const deep = `page ${f.deepPage}`;
  const findings: string[] = [];
  const { page1, deep: deepList } = f.list;
  if (ratios.sequentialP50 > tolerance) {
    const deepMain = f.plans.listDeep?.[0];
    const fix = f.keysetBound.find((k) => k.query === 'listDeep');
    findings.push(
      `Missed: ${deep} is ${ratios.sequentialP50}x page 1 (sequential p50 ${deepList.sequential.latency.p50Ms} ms vs ${page1.sequential.latency.p50Ms} ms).` +
        (deepMain
          ? ` Its exports statement runs ${planShape(deepMain)} and removes ${rowsFilteredOut(deepMain)} rows by filter: the keyset OR is not an index condition, so Postgres reads every newer row first.`
          : '') +
        (fix
          ? ` With created_at <= cursor added (same rows: ${fix.sameRows}) the statement takes p50 ${fix.bounded.latency.p50Ms} ms instead of ${fix.original.latency.p50Ms} ms.` +
            ' Proposed fix: in afterKeyset (src/pagination.ts) AND { createdAt: { lte: keyset.createdAt } } with the OR, or compare the row (created_at, id) < (c, i) in raw SQL.'
          : ''),
    );
  } else {
    findings.push(`${deep} costs ${ratios.sequentialP50}x page 1 (sequential p50): within ${tolerance}x.`);
  }
  // The plans show the cost growing with depth even where the API's fixed per-request cost hides
  // it in the HTTP figures.
  for (const k of f.keysetBound) {
    findings.push(
      `${k.query} (${deep}): the exports statement filters out ${rowsFilteredOut(k.original.plan)} rows (${k.original.latency.p50Ms} ms p50 in Postgres); ` +
        `with created_at <= cursor ANDed in, ${rowsFilteredOut(k.bounded.plan)} rows (${k.bounded.latency.p50Ms} ms), same rows: ${k.sameRows}.`,
    );
  }
  const busiest = (cpu: CpuUsage): string => {
    const [group, percent] = Object.entries(cpu.byGroup)[0] ?? ['none', 0];
    return `${group} at ${percent} % of one core`;
  };
  findings.push(
    `At ${f.connections} connections the busiest process group is: GET /exports/:id ${busiest(f.getById.closedLoop.cpu)}; ` +
      `list page 1 ${busiest(page1.closedLoop.cpu)}; list ${deep} ${busiest(deepList.closedLoop.cpu)}.`,
  );
  return findings;
}

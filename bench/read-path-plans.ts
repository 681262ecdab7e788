// What Postgres does for the read routes: run the service's own store functions (findExport,
// listExports) on a Prisma client that logs its SQL, then EXPLAIN (ANALYZE, BUFFERS) each captured
// statement with its parameters. Capturing instead of hand-writing the SQL means the plans are of
// the queries the API really sends (Prisma loads each relation with a query of its own).
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient, type Prisma } from '../src/generated/prisma/client.js';

export interface CapturedQuery {
  sql: string;
  params: unknown[];
}

/** The SQL statements `action` sends, in order. */
export async function captureQueries(databaseUrl: string, action: (db: PrismaClient) => Promise<unknown>): Promise<CapturedQuery[]> {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 1 }), log: [{ emit: 'event', level: 'query' }] });
  const captured: CapturedQuery[] = [];
  db.$on('query', (event: Prisma.QueryEvent) => captured.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] }));
  try {
    await action(db);
  } finally {
    await db.$disconnect();
  }
  return captured;
}

export interface PlanNode {
  depth: number;
  nodeType: string;
  relation?: string;
  index?: string;
  indexCond?: string;
  filter?: string;
  actualRows: number;
  rowsRemovedByFilter?: number;
  sharedHitBlocks: number;
  sharedReadBlocks: number;
  actualTotalMs: number;
}

export interface ExplainedQuery {
  /** The main table of the statement, e.g. exports or export_runs. */
  table: string;
  sql: string;
  params: unknown[];
  planningMs: number;
  executionMs: number;
  /** Every node of the plan, depth first. */
  nodes: PlanNode[];
}

interface RawPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  'Actual Total Time': number;
  Plans?: RawPlanNode[];
}

interface RawExplain {
  Plan: RawPlanNode;
  'Planning Time': number;
  'Execution Time': number;
}

function flatten(node: RawPlanNode, depth: number, into: PlanNode[]): PlanNode[] {
  into.push({
    depth,
    nodeType: node['Node Type'],
    ...(node['Relation Name'] !== undefined ? { relation: node['Relation Name'] } : {}),
    ...(node['Index Name'] !== undefined ? { index: node['Index Name'] } : {}),
    ...(node['Index Cond'] !== undefined ? { indexCond: node['Index Cond'] } : {}),
    ...(node.Filter !== undefined ? { filter: node.Filter } : {}),
    actualRows: node['Actual Rows'],
    ...(node['Rows Removed by Filter'] !== undefined ? { rowsRemovedByFilter: node['Rows Removed by Filter'] } : {}),
    sharedHitBlocks: node['Shared Hit Blocks'],
    sharedReadBlocks: node['Shared Read Blocks'],
    actualTotalMs: node['Actual Total Time'],
  });
  for (const child of node.Plans ?? []) flatten(child, depth + 1, into);
  return into;
}

export async function explain(pool: pg.Pool, query: CapturedQuery): Promise<ExplainedQuery> {
  const { rows } = await pool.query<{ 'QUERY PLAN': RawExplain[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`, query.params);
  const raw = rows[0]?.['QUERY PLAN'][0];
  if (raw === undefined) throw new Error(`no plan for ${query.sql}`);
  return {
    table: /FROM "public"\."(\w+)"/.exec(query.sql)?.[1] ?? 'unknown',
    sql: query.sql,
    params: query.params,
    planningMs: raw['Planning Time'],
    executionMs: raw['Execution Time'],
    nodes: flatten(raw.Plan, 0, []),
  };
}

/** One line per plan node, e.g. "Limit > Index Scan (exports_tenant_id_created_at_id_idx)". */
export function planShape(plan: ExplainedQuery): string {
  return plan.nodes.map((n) => `${n.nodeType}${n.index ? ` (${n.index})` : n.relation ? ` (${n.relation})` : ''}`).join(' > ');
}

/** Rows a plan read and threw away again (Rows Removed by Filter), summed over its nodes. */
export function rowsFilteredOut(plan: ExplainedQuery): number {
  return plan.nodes.reduce((sum, n) => sum + (n.rowsRemovedByFilter ?? 0), 0);
}

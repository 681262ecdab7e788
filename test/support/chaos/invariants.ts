// The invariants every chaos scenario ends with (reliability anchors I1, I2, I3, I5), checked
// against our database and against what the Platform holds (read through its own Flow Service
// API). The report counts, instead of stopping at the first problem, so a failing scenario says
// how much went wrong:
//   lost        an accepted export with no row, or a row that is not terminal (or not succeeded
//               when the scenario expects every export to succeed);
//   duplicated  a second Platform object with the name of one we hold, a second run for one of our
//               runs, or a row the API never answered 202 for;
//   leaked      a Platform object no row of ours references, or a job left in the queue;
//   mismatched  an id we saved whose Platform object is missing or points elsewhere.
import type pg from 'pg';
import type { ChaosWorld } from './chaos-world.js';
import type { PlatformKind, PlatformObject, PlatformSnapshot } from './platform-view.js';

export interface InvariantReport {
  accepted: number;
  rows: number;
  terminal: number;
  succeeded: number;
  lost: number;
  duplicated: number;
  leaked: number;
  mismatched: number;
  /** Objects per kind at the Platform. */
  platform: Record<PlatformKind, number>;
  /** Up to 20 sentences naming what is wrong (empty when all invariants hold). */
  problems: string[];
}

interface OurRows {
  exports: { id: string; status: string; error: unknown; dataset_id: string; destination_id: string; flow_binding_id: string | null }[];
  destinations: { id: string; base_connection_id: string | null }[];
  bindings: { id: string; source_connection_id: string | null; target_connection_id: string | null; flow_id: string | null }[];
  runs: { id: string; export_id: string; state: string; platform_run_id: string | null }[];
}

async function readOurRows(pool: pg.Pool): Promise<OurRows> {
  const [exports, destinations, bindings, runs] = await Promise.all([
    pool.query<OurRows['exports'][number]>(
      'SELECT id::text, status, error, dataset_id, destination_id::text, flow_binding_id::text FROM exports',
    ),
    pool.query<OurRows['destinations'][number]>('SELECT id::text, base_connection_id FROM destinations WHERE deleted_at IS NULL'),
    pool.query<OurRows['bindings'][number]>('SELECT id::text, source_connection_id, target_connection_id, flow_id FROM flow_bindings'),
    pool.query<OurRows['runs'][number]>('SELECT id::text, export_id::text, state, platform_run_id FROM export_runs'),
  ]);
  return { exports: exports.rows, destinations: destinations.rows, bindings: bindings.rows, runs: runs.rows };
}

const terminalStatuses = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

export interface InvariantOptions {
  /** Every accepted export must have succeeded (not merely ended). Default true. */
  expectSucceeded?: boolean;
}

/** Checks I1, I2, I3 and I5 for the exports the API accepted (answered 202 with these ids). */
export async function checkInvariants(world: ChaosWorld, acceptedIds: Iterable<string>, options: InvariantOptions = {}): Promise<InvariantReport> {
  const expectSucceeded = options.expectSucceeded ?? true;
  const accepted = new Set(acceptedIds);
  const ours = await readOurRows(world.pool);
  const platform: PlatformSnapshot = await world.platform.snapshot();
  const problems: string[] = [];
  const note = (text: string): void => {
    if (problems.length < 20) problems.push(text);
  };
  let lost = 0;
  let duplicated = 0;
  let leaked = 0;
  let mismatched = 0;

  // I1 and I5: accepted == rows, every row terminal.
  const rowsById = new Map(ours.exports.map((e) => [e.id, e]));
  for (const id of accepted) {
    const row = rowsById.get(id);
    if (row === undefined) {
      lost++;
      note(`accepted export ${id} has no row`);
    } else if (!terminalStatuses.has(row.status) || (expectSucceeded && row.status !== 'succeeded')) {
      lost++;
      note(`export ${id} ended ${row.status}${row.error === null ? '' : `: ${JSON.stringify(row.error)}`}`);
    }
  }
  for (const row of ours.exports) {
    if (!accepted.has(row.id)) {
      duplicated++;
      note(`export row ${row.id} was never answered 202`);
    }
  }

  // I2 and I3, per kind: the ids we hold, and what each must point at.
  const platformById = new Map<string, PlatformObject>();
  for (const objects of Object.values(platform)) for (const o of objects) platformById.set(o.id, o);
  const ourIds: Record<PlatformKind, Set<string>> = {
    connections: new Set(ours.destinations.flatMap((d) => (d.base_connection_id === null ? [] : [d.base_connection_id]))),
    sourceConnections: new Set(ours.bindings.flatMap((b) => (b.source_connection_id === null ? [] : [b.source_connection_id]))),
    targetConnections: new Set(ours.bindings.flatMap((b) => (b.target_connection_id === null ? [] : [b.target_connection_id]))),
    flows: new Set(ours.bindings.flatMap((b) => (b.flow_id === null ? [] : [b.flow_id]))),
    runs: new Set(ours.runs.flatMap((r) => (r.platform_run_id === null ? [] : [r.platform_run_id]))),
  };
  for (const kind of Object.keys(ourIds) as PlatformKind[]) {
    const atPlatform = new Map(platform[kind].map((o) => [o.id, o]));
    for (const id of ourIds[kind]) {
      if (!atPlatform.has(id)) {
        mismatched++;
        note(`our ${kind} id ${id} is not at the Platform`);
      }
    }
    // Names we hold; another object with one of them is a duplicate, any other object a leak.
    const ourNames = new Set([...ourIds[kind]].flatMap((id) => atPlatform.get(id)?.name ?? []));
    for (const object of platform[kind]) {
      if (ourIds[kind].has(object.id)) continue;
      if (kind === 'runs') {
        // A run nobody owns is a second run started for one of our runs (or a run we never saw).
        duplicated++;
        note(`run ${object.id} of flow ${object.flowId ?? '?'} is owned by no export run`);
      } else if (object.name !== undefined && ourNames.has(object.name)) {
        duplicated++;
        note(`${kind} ${object.id} duplicates the name ${object.name}`);
      } else {
        leaked++;
        note(`${kind} ${object.id} (${object.name ?? 'no name'}) is referenced by no row of ours`);
      }
    }
  }

  // I3 in depth: every object we hold points at the objects we hold for the same export.
  const destinations = new Map(ours.destinations.map((d) => [d.id, d]));
  const bindings = new Map(ours.bindings.map((b) => [b.id, b]));
  const runsByExport = new Map<string, OurRows['runs']>();
  for (const run of ours.runs) runsByExport.set(run.export_id, [...(runsByExport.get(run.export_id) ?? []), run]);
  for (const row of ours.exports) {
    if (row.status !== 'succeeded') continue;
    const binding = row.flow_binding_id === null ? undefined : bindings.get(row.flow_binding_id);
    const base = destinations.get(row.destination_id)?.base_connection_id ?? null;
    if (binding === undefined || base === null || binding.flow_id === null || binding.source_connection_id === null || binding.target_connection_id === null) {
      mismatched++;
      note(`succeeded export ${row.id} lacks a saved Platform id`);
      continue;
    }
    const source = platformById.get(binding.source_connection_id);
    const target = platformById.get(binding.target_connection_id);
    const flow = platformById.get(binding.flow_id);
    const wrong: string[] = [];
    if (!source?.params?.datasets?.some((d) => d.dataSetId === row.dataset_id)) wrong.push('source connection does not read the dataset');
    if (target?.baseConnectionId !== base) wrong.push('target connection is not on the base connection');
    if (flow?.sourceConnectionIds?.[0] !== binding.source_connection_id) wrong.push('flow reads another source connection');
    if (flow?.targetConnectionIds?.[0] !== binding.target_connection_id) wrong.push('flow writes to another target connection');
    const runs = runsByExport.get(row.id) ?? [];
    const succeededRuns = runs.filter((r) => r.state === 'succeeded');
    if (succeededRuns.length !== 1 || runs.length !== 1) wrong.push(`${runs.length} runs (${succeededRuns.length} succeeded), expected one`);
    for (const run of runs) {
      const platformRun = run.platform_run_id === null ? undefined : platformById.get(run.platform_run_id);
      if (platformRun?.flowId !== binding.flow_id) wrong.push(`run ${run.platform_run_id ?? '(none)'} is not a run of the flow`);
      else if (platformRun.metrics?.statusSummary?.status !== 'success') wrong.push(`run ${platformRun.id} is ${platformRun.metrics?.statusSummary?.status ?? '?'} at the Platform`);
    }
    if (wrong.length > 0) {
      mismatched++;
      note(`export ${row.id}: ${wrong.join('; ')}`);
    }
  }

  // Nothing left behind in the queue once every row is terminal (a finishing job may still be
  // acknowledging its last step, so give the queue a moment).
  let pending = await world.pendingJobs();
  for (let i = 0; i < 40 && pending > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    pending = await world.pendingJobs();
  }
  if (pending > 0) {
    leaked += pending;
    note(`${pending} jobs still waiting, active or delayed in the queue`);
  }

  return {
    accepted: accepted.size,
    rows: ours.exports.length,
    terminal: ours.exports.filter((e) => terminalStatuses.has(e.status)).length,
    succeeded: ours.exports.filter((e) => e.status === 'succeeded').length,
    lost,
    duplicated,
    leaked,
    mismatched,
    platform: Object.fromEntries(Object.entries(platform).map(([k, v]) => [k, v.length])) as Record<PlatformKind, number>,
    problems,
  };
}

/** One line per scenario for the test output (and docs/reliability.md). */
export function summaryLine(scenario: string, report: InvariantReport, extra: Record<string, string | number>): string {
  const fields = {
    jobs: report.accepted,
    rows: report.rows,
    succeeded: report.succeeded,
    ...extra,
    lost: report.lost,
    duplicated: report.duplicated,
    leaked: report.leaked,
    mismatched: report.mismatched,
    platform: Object.entries(report.platform)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  };
  return `chaos ${scenario}: ${Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
}

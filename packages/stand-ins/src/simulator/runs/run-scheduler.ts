// Scheduled runs: every enabled dataset export flow fires one run per dataset at each occurrence of
// its schedule (flow-window.ts), as the Platform does without being asked. Two simulator processes
// sharing a schema fire an occurrence once: the occurrence is claimed by a conditional UPDATE of the
// flow's `__sim.nextOccurrence` before any run is created. Occurrences missed while the flow was
// disabled (or the simulator stopped) are not caught up; the latest due one fires, unless it fell
// before the flow was last enabled. Parked flows (start a year out) never qualify.
import type { SimulatorContext, Tenancy } from '../context.js';
import { quoteIdent } from '../../common/sql-ident.js';
import { ExportTargetError, flowDatasetIds, flowViewSchema, loadExportTarget, type FlowView } from './flow-links.js';
import { cadenceOf, flowEndMs, latestDueOccurrence } from './flow-window.js';
import { runEngineFor } from './run-engine.js';

interface CandidateRow {
  org: string;
  sandbox: string;
  id: string;
  body: unknown;
}

/** Fires the due occurrence of every enabled scheduled flow; returns how many runs it started. */
export async function fireDueScheduledRuns(ctx: SimulatorContext, limit = 100): Promise<number> {
  const entities = `${quoteIdent(ctx.schema)}.entities`;
  const nowMs = ctx.now();
  const { rows } = await ctx.pool.query<CandidateRow>(
    `SELECT org, sandbox, id, body FROM ${entities}
     WHERE kind = 'flow' AND lower(body ->> 'state') = 'enabled'
       AND jsonb_typeof(body #> '{scheduleParams,startTime}') = 'number'
       AND (body #>> '{scheduleParams,startTime}')::numeric * 1000 <= $1
     ORDER BY seq LIMIT $2`,
    [nowMs, limit],
  );
  let started = 0;
  for (const row of rows) {
    const parsed = flowViewSchema.safeParse(row.body);
    if (!parsed.success) continue;
    const flow = parsed.data;
    const cadence = cadenceOf(flow, ctx.config.scheduleTimeScale);
    if (cadence === undefined) continue;
    const due = latestDueOccurrence(cadence, nowMs);
    if (due === undefined) continue;
    const end = flowEndMs(flow);
    if (end !== undefined && due.atMs >= end) continue;
    const nextIndex = flow.__sim?.nextOccurrence ?? 0;
    if (due.index < nextIndex) continue;
    const claimed = await ctx.pool.query(
      `UPDATE ${entities} SET body = jsonb_set(body, '{__sim,nextOccurrence}', to_jsonb($4::int))
       WHERE org = $1 AND sandbox = $2 AND kind = 'flow' AND id = $3
         AND COALESCE((body #>> '{__sim,nextOccurrence}')::int, 0) = $5`,
      [row.org, row.sandbox, row.id, due.index + 1, nextIndex],
    );
    if (claimed.rowCount !== 1) continue;
    // An occurrence that fell while the flow was disabled is skipped, not caught up.
    if (due.atMs < (flow.__sim?.enabledAt ?? 0)) continue;
    started += await fireOccurrence(ctx, { orgId: row.org, sandbox: row.sandbox }, flow);
  }
  return started;
}

async function fireOccurrence(ctx: SimulatorContext, t: Tenancy, flow: FlowView): Promise<number> {
  const engine = runEngineFor(ctx);
  // One run at a time per flow, as for ad hoc runs: an occurrence during a run is skipped.
  if ((await engine.inProgressRun(t, flow.id)) !== null) return 0;
  let targetConnectionId: string;
  try {
    targetConnectionId = (await loadExportTarget(ctx, t, flow)).targetConnectionId;
  } catch (error) {
    if (error instanceof ExportTargetError) return 0;
    throw error;
  }
  let started = 0;
  for (const datasetId of [...(await flowDatasetIds(ctx, t, flow))].sort()) {
    await engine.createRun(t, flow, datasetId, targetConnectionId);
    started++;
  }
  return started;
}

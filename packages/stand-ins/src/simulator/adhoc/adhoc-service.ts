// Decides an ad hoc dataset run: every requested flow must exist, be a dataset export flow, be
// enabled and not past its end, export the datasets asked for, be past its not-ready window and
// have no run in progress; then one run per (flow, dataset) is created. Flows are locked
// (advisory, in sorted order) while checking and creating, so two concurrent requests cannot both
// start a run.
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import {
  alwaysFullExport,
  DATASET_EXPORT_FLOW_SPEC_IDS,
  ExportTargetError,
  flowDatasetIds,
  loadExportTarget,
  loadFlow,
  type ExportTarget,
  type FlowView,
} from '../runs/flow-links.js';
import { quoteIdent } from '../../common/sql-ident.js';
import { runEngineFor, type CheckedRunInputs } from '../runs/run-engine.js';
import { flowHasEnded } from '../runs/flow-window.js';
import { adhocMessages, type AdhocDatasetRunRequest } from './adhoc-request.js';
import { lockHolderGateFor } from '../store/connection-gate.js';

export class AdhocRunRejected extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export interface StartedRun {
  flowId: string;
  datasetId: string;
  runId: string;
}

interface CheckedDestination {
  flow: FlowView;
  datasetIds: string[];
  target: ExportTarget;
}

async function checkDestination(ctx: SimulatorContext, t: Tenancy, flowId: string, datasetIds: string[]): Promise<CheckedDestination> {
  const flow = await loadFlow(ctx, t, flowId);
  if (flow === null) throw new AdhocRunRejected(404, adhocMessages.flowNotFound(flowId));
  if (!DATASET_EXPORT_FLOW_SPEC_IDS.has(flow.flowSpec.id)) throw new AdhocRunRejected(400, adhocMessages.wrongFlowSpec(flowId, flow.flowSpec.id));
  if (flow.state !== undefined && flow.state.toLowerCase() !== 'enabled') throw new AdhocRunRejected(400, adhocMessages.flowDisabled(flowId));
  // A flow past its end (endTime, or six months after creation without one) refuses ad hoc runs
  // with the Platform's "out of schedule range" answer (runs/flow-window.ts).
  if (flowHasEnded(flow, ctx.now())) throw new AdhocRunRejected(400, adhocMessages.datasetsNotInFlow(datasetIds));
  const exported = await flowDatasetIds(ctx, t, flow);
  const missing = datasetIds.filter((id) => !exported.has(id));
  if (missing.length > 0) throw new AdhocRunRejected(400, adhocMessages.datasetsNotInFlow(missing));
  let target: ExportTarget;
  try {
    target = await loadExportTarget(ctx, t, flow);
  } catch (error) {
    if (error instanceof ExportTargetError) throw new AdhocRunRejected(400, adhocMessages.badTarget(flowId, error.message));
    throw error;
  }
  const readyAt = flow.__sim?.readyAt;
  if (readyAt !== undefined && ctx.now() < readyAt) throw new AdhocRunRejected(400, adhocMessages.notReady);
  return { flow, datasetIds, target };
}

/**
 * The run that already exported everything the dataset holds through this incremental flow (no
 * row since its watermark), or null. The Platform then answers "run already exists" instead of
 * starting an empty run (CMLE notebooks, Week2). One-time full export flows always export.
 */
async function alreadyExportedBy(ctx: SimulatorContext, t: Tenancy, flow: FlowView, datasetId: string): Promise<string | null> {
  if (alwaysFullExport(flow)) return null;
  const { rows } = await ctx.pool.query<{ last_seq: string; last_run_id: string }>(
    `SELECT last_seq, last_run_id FROM ${quoteIdent(ctx.schema)}.export_watermarks WHERE org = $1 AND sandbox = $2 AND flow_id = $3 AND dataset_id = $4`,
    [t.orgId, t.sandbox, flow.id, datasetId],
  );
  const watermark = rows[0];
  if (watermark === undefined) return null;
  const newer = await datasetStoreFor(ctx).readRows(t, datasetId, { afterSeq: Number(watermark.last_seq), limit: 1 });
  return newer.length === 0 ? watermark.last_run_id : null;
}

/** With live ingestion configured, new rows have landed in each requested dataset since the last request. */
async function landLiveIngestion(ctx: SimulatorContext, t: Tenancy, checked: readonly CheckedDestination[]): Promise<void> {
  const datasets = datasetStoreFor(ctx);
  for (const datasetId of new Set(checked.flatMap((c) => c.datasetIds))) {
    const dataset = await datasets.getDataset(t, datasetId);
    if (dataset?.kind != null) await datasets.appendSyntheticRows(t, dataset, ctx.config.liveIngestionRows);
  }
}

export async function startAdhocRuns(ctx: SimulatorContext, t: Tenancy, request: AdhocDatasetRunRequest): Promise<StartedRun[][]> {
  const destinations = request.activationInfo.destinations;
  const checked: CheckedDestination[] = [];
  for (const d of destinations) {
    checked.push(await checkDestination(ctx, t, d.flowId, [...new Set(d.datasets.map((ds) => ds.id))]));
  }

  const engine = runEngineFor(ctx);
  const created: CheckedRunInputs[] = [];
  // The lock's connection stays checked out while the run is created through other connections.
  const started = await lockHolderGateFor(ctx).run(async () => {
    const lockClient = await ctx.pool.connect();
    try {
      await lockClient.query('BEGIN');
      const flowIds = [...new Set(checked.map((c) => c.flow.id))].sort();
      for (const flowId of flowIds) {
        await lockClient.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`adhoc-run|${t.orgId}|${t.sandbox}|${flowId}`]);
      }
      if (ctx.config.liveIngestionRows > 0) await landLiveIngestion(ctx, t, checked);
      for (const c of checked) {
        const running = await engine.inProgressRun(t, c.flow.id);
        if (running !== null) {
          throw new AdhocRunRejected(400, adhocMessages.runInProgress(running.__sim.datasetId, c.flow.id, running.id));
        }
        // A live dataset always has data newer than the last run (rows landed just now), so the
        // "already exists" answer is only for datasets nothing writes to.
        for (const datasetId of ctx.config.liveIngestionRows > 0 ? [] : c.datasetIds) {
          const exported = await alreadyExportedBy(ctx, t, c.flow, datasetId);
          if (exported !== null) throw new AdhocRunRejected(400, adhocMessages.alreadyExported(datasetId, c.flow.id, exported));
        }
      }
      const started: StartedRun[][] = [];
      for (const c of checked) {
        const runs: StartedRun[] = [];
        for (const datasetId of c.datasetIds) {
          const run = await engine.createRun(t, c.flow, datasetId, c.target.targetConnectionId);
          runs.push({ flowId: c.flow.id, datasetId, runId: run.id });
          created.push({ run, flow: c.flow, target: c.target });
        }
        started.push(runs);
      }
      await lockClient.query('COMMIT');
      return started;
    } catch (error) {
      await lockClient.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      lockClient.release();
    }
  });
  // Answered at once; a run due now goes on in the background, as Adobe's does (run-engine.ts).
  engine.completeInBackground(t, created);
  return started;
}

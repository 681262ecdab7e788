// Creates export runs and completes them. A run is created `inProgress`; once its due time has
// passed it is completed by whichever comes first, the ticker or a read of the run. A run due at
// once (a run duration of 0) starts completing in the background as soon as it is created, as
// Adobe's run goes on after the ad hoc request was answered; a read of it meanwhile waits for that
// completion instead of starting its own. Completion happens in one transaction that locks the run
// row and ends with an UPDATE conditional on the run still being in progress, so two simulator
// processes sharing a schema complete a run once.
import type pg from 'pg';
import type { RunFailure, SimulatorContext, Tenancy } from '../context.js';
import { exportFailureMessage } from './export-failure-message.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import type { Row } from '../datasets/fields.js';
import { writeExport } from '../landing/export-writer.js';
import { openLandingSink, type LandingSink } from '../landing/landing-sink.js';
import type { ExportMode } from '../landing/manifest.js';
import { quoteIdent } from '../../common/sql-ident.js';
import { newEtag } from '../store/identifiers.js';
import { alwaysFullExport, ExportTargetError, loadExportTarget, loadFlow, type ExportTarget, type FlowView } from './flow-links.js';
import { failedRunBody, inProgressRunBody, succeededRunBody, type RunBody } from './run-body.js';

/** Failure recorded when the export itself cannot be produced (flow gone, bad target, disk). */
const EXPORT_FAILURE_CODE = 'ACTIVATION_BATCH-0000-FAILED';

interface DueRun {
  org: string;
  sandbox: string;
  id: string;
}

type RunInputs =
  | { failure: RunFailure }
  | { flow: FlowView; dataset: NonNullable<Awaited<ReturnType<ReturnType<typeof datasetStoreFor>['getDataset']>>>; target: ExportTarget };

/** The run an ad hoc request just created, with the flow and target it checked: completed right away, none is read a second time. */
export interface CheckedRunInputs {
  run: RunBody;
  flow: FlowView;
  target: ExportTarget;
}

export interface CompleteOptions {
  /** Leave a run another worker (or this process's background completion) is completing alone. */
  skipLocked?: boolean;
  /** With skipLocked: still wait for this process's own completion of the run (reads do; the ticker does not). */
  awaitOwn?: boolean;
  /** Inputs read moments ago by the request that created the run. */
  checked?: CheckedRunInputs;
}

export class RunEngine {
  private readonly entities: string;
  private readonly watermarks: string;
  /** Completions going on in this process, by run id. */
  private readonly completing = new Map<string, Promise<boolean>>();

  constructor(private readonly ctx: SimulatorContext) {
    const s = quoteIdent(ctx.schema);
    this.entities = `${s}.entities`;
    this.watermarks = `${s}.export_watermarks`;
  }

  async createRun(t: Tenancy, flow: FlowView, datasetId: string, targetConnectionId: string): Promise<RunBody> {
    const nowMs = this.ctx.now();
    // The fault is taken when the run starts, so "the next run fails" means this run, whichever
    // other due run happens to complete first.
    const injectedFailure = this.ctx.faults.takeRunFailure();
    const entity = await this.ctx.entities.create<RunBody>(t, 'run', (id, etag) => {
      const body = inProgressRunBody(id, etag, { tenancy: t, flow, datasetId, targetConnectionId, nowMs, durationMs: this.ctx.config.runDurationSeconds * 1000 });
      return { ...body, __sim: { ...body.__sim, injectedFailure } };
    });
    await this.setLastRunDetails(this.ctx.pool, t, entity.body);
    return entity.body;
  }

  /**
   * Mirrors the run into the flow's `lastRunDetails`. Written in place, without a new etag: run
   * progress is not an edit of the flow, and a changed etag would break a client's If-Match.
   */
  private async setLastRunDetails(client: pg.Pool | pg.PoolClient, t: Tenancy, run: RunBody): Promise<void> {
    const completedAtUTC = run.metrics.durationSummary.completedAtUTC;
    const details = {
      id: run.id,
      state: run.metrics.statusSummary.status,
      startedAtUTC: run.metrics.durationSummary.startedAtUTC,
      ...(completedAtUTC === undefined ? {} : { completedAtUTC }),
    };
    await client.query(
      `UPDATE ${this.entities} SET body = jsonb_set(body, '{lastRunDetails}', $4::jsonb)
       WHERE org = $1 AND sandbox = $2 AND kind = 'flow' AND id = $3
         AND ((body #>> '{lastRunDetails,id}') IS NULL OR (body #>> '{lastRunDetails,id}') = $5 OR (body #>> '{lastRunDetails,startedAtUTC}')::bigint <= $6)`,
      [t.orgId, t.sandbox, run.flowId, JSON.stringify(details), run.id, details.startedAtUTC],
    );
  }

  /** Completes every due run (optionally of one tenancy or flow); returns how many it completed. */
  async completeDueRuns(scope: { tenancy?: Tenancy; flowId?: string } = {}, limit = 50): Promise<number> {
    const params: unknown[] = [this.ctx.now()];
    const conditions = [`kind = 'run'`, `(body #>> '{__sim,phase}') = 'inProgress'`, `(body #>> '{__sim,dueAtMs}')::bigint <= $1`];
    if (scope.tenancy !== undefined) {
      params.push(scope.tenancy.orgId, scope.tenancy.sandbox);
      conditions.push(`org = $${params.length - 1}`, `sandbox = $${params.length}`);
    }
    if (scope.flowId !== undefined) {
      params.push(scope.flowId);
      conditions.push(`(body #>> '{flowId}') = $${params.length}`);
    }
    params.push(limit);
    const { rows } = await this.ctx.pool.query<DueRun>(
      `SELECT org, sandbox, id FROM ${this.entities} WHERE ${conditions.join(' AND ')} ORDER BY seq LIMIT $${params.length}`,
      params,
    );
    let completed = 0;
    for (const run of rows) {
      // A read (of a tenancy's runs, of a flow's before its next run) waits for this process's own
      // completion of a due run, as it would have completed the run itself; the ticker skips it.
      const awaitOwn = scope.tenancy !== undefined || scope.flowId !== undefined;
      if (await this.completeIfDue({ orgId: run.org, sandbox: run.sandbox }, run.id, { skipLocked: true, awaitOwn })) completed++;
    }
    return completed;
  }

  /**
   * Starts completing runs that are due now in the background (after the request that created
   * them committed); failures are left to the ticker and to reads, which try again.
   */
  completeInBackground(t: Tenancy, runs: readonly CheckedRunInputs[]): void {
    for (const checked of runs) {
      if (checked.run.__sim.dueAtMs > this.ctx.now()) continue;
      void this.completeIfDue(t, checked.run.id, { checked }).catch(() => undefined);
    }
  }

  /**
   * Completes the run when it is still in progress and due. With skipLocked a run another worker
   * is completing is left alone; without it the caller waits and then sees the completed run.
   */
  async completeIfDue(t: Tenancy, runId: string, options: CompleteOptions = {}): Promise<boolean> {
    const inFlight = this.completing.get(runId);
    if (inFlight !== undefined) {
      if (options.skipLocked === true && options.awaitOwn !== true) return false;
      if (await inFlight.catch(() => false)) return true;
    }
    const completion = this.completeNow(t, runId, options);
    this.completing.set(runId, completion);
    try {
      return await completion;
    } finally {
      if (this.completing.get(runId) === completion) this.completing.delete(runId);
    }
  }

  private async completeNow(t: Tenancy, runId: string, options: CompleteOptions): Promise<boolean> {
    // Peek first and read the flow, dataset and target through the pool *before* taking the
    // transaction's connection: holding one connection while waiting for another deadlocks a
    // small pool when many runs complete at once.
    // (A run just created needs no peek: its body is known.)
    const candidate = options.checked?.run.id === runId ? options.checked.run : await this.peekRun(t, runId);
    if (candidate?.__sim.phase !== 'inProgress' || candidate.__sim.dueAtMs > this.ctx.now()) return false;
    const inputs = await this.loadInputs(t, candidate, options.checked);

    const client = await this.ctx.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ body: RunBody }>(
        `SELECT body FROM ${this.entities} WHERE org = $1 AND sandbox = $2 AND kind = 'run' AND id = $3
         FOR UPDATE${options.skipLocked === true ? ' SKIP LOCKED' : ''}`,
        [t.orgId, t.sandbox, runId],
      );
      const run = rows[0]?.body;
      const nowMs = this.ctx.now();
      if (run?.__sim.phase !== 'inProgress' || run.__sim.dueAtMs > nowMs) {
        await client.query('ROLLBACK');
        return false;
      }
      const completed = await this.complete(client, t, run, nowMs, inputs);
      const updated = await client.query(
        `UPDATE ${this.entities} SET body = $4, etag = $5
         WHERE org = $1 AND sandbox = $2 AND kind = 'run' AND id = $3 AND (body #>> '{__sim,phase}') = 'inProgress'`,
        [t.orgId, t.sandbox, runId, JSON.stringify(completed.body), completed.body.etag],
      );
      if (updated.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      await this.setLastRunDetails(client, t, completed.body);
      if (completed.watermark !== undefined) {
        await client.query(
          `INSERT INTO ${this.watermarks} (org, sandbox, flow_id, dataset_id, last_seq, last_run_id, updated_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (org, sandbox, flow_id, dataset_id)
           DO UPDATE SET last_seq = GREATEST(${this.watermarks}.last_seq, EXCLUDED.last_seq), last_run_id = EXCLUDED.last_run_id, updated_ms = EXCLUDED.updated_ms`,
          [t.orgId, t.sandbox, run.flowId, run.__sim.datasetId, completed.watermark, run.id, nowMs],
        );
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async peekRun(t: Tenancy, runId: string): Promise<RunBody | undefined> {
    const { rows } = await this.ctx.pool.query<{ body: RunBody }>(
      `SELECT body FROM ${this.entities} WHERE org = $1 AND sandbox = $2 AND kind = 'run' AND id = $3`,
      [t.orgId, t.sandbox, runId],
    );
    return rows[0]?.body;
  }

  /** The flow, dataset and export target a run reads, or why the export cannot be produced. */
  private async loadInputs(t: Tenancy, run: RunBody, checked?: CheckedRunInputs): Promise<RunInputs> {
    if (checked !== undefined && checked.flow.id === run.flowId && checked.target.targetConnectionId === run.__sim.targetConnectionId) {
      const dataset = await datasetStoreFor(this.ctx).getDataset(t, run.__sim.datasetId);
      if (dataset !== null) return { flow: checked.flow, dataset, target: checked.target };
    }
    const flow = await loadFlow(this.ctx, t, run.flowId);
    if (flow === null) return { failure: { code: EXPORT_FAILURE_CODE, message: `Export failed: flow ${run.flowId} no longer exists.` } };
    const dataset = await datasetStoreFor(this.ctx).getDataset(t, run.__sim.datasetId);
    if (dataset === null) return { failure: { code: EXPORT_FAILURE_CODE, message: `Export failed: dataset ${run.__sim.datasetId} no longer exists.` } };
    try {
      return { flow, dataset, target: await loadExportTarget(this.ctx, t, flow, run.__sim.targetConnectionId) };
    } catch (error) {
      if (error instanceof ExportTargetError) return { failure: { code: EXPORT_FAILURE_CODE, message: `Export failed: ${error.message}` } };
      throw error;
    }
  }

  /** Builds the completed run: writes the export (or records a failure); returns the new watermark. */
  private async complete(client: pg.PoolClient, t: Tenancy, run: RunBody, nowMs: number, inputs: RunInputs): Promise<{ body: RunBody; watermark?: number }> {
    const etag = newEtag();
    const fail = (failure: RunFailure) => ({ body: failedRunBody(run, etag, nowMs, failure) });
    const injected = run.__sim.injectedFailure ?? null;
    if (injected !== null) return fail(injected);
    if ('failure' in inputs) return fail(inputs.failure);
    const { flow, dataset, target } = inputs;
    const datasets = datasetStoreFor(this.ctx);

    const previous = alwaysFullExport(flow) ? undefined : await this.watermark(client, t, run.flowId, dataset.id);
    const exportMode: ExportMode = previous === undefined ? 'FULL' : 'INCREMENTAL';
    const stored = await datasets.readRowsForExport(client, t, dataset.id, previous ?? 0);
    const rows: Row[] = stored.map((r) => r.row);
    let sink: LandingSink | undefined;
    try {
      sink = await openLandingSink(this.ctx, t, target.destination);
      const result = await writeExport({
        sink,
        targetPath: target.path,
        datasetId: dataset.id,
        flowId: run.flowId,
        flowRunId: run.id,
        exportMode,
        exportTimeMs: nowMs,
        format: target.format,
        compression: target.compression,
        fields: dataset.fields,
        rows,
      });
      const body = succeededRunBody(run, etag, nowMs, {
        records: result.manifest.totalRecords,
        files: result.manifest.files.length,
        bytes: result.manifest.totalBytes,
        exportMode,
        folder: result.manifest.folder,
        manifestName: result.manifestName,
      });
      const lastSeq = stored.at(-1)?.seq ?? previous ?? 0;
      return { body, watermark: lastSeq };
    } catch (error) {
      return fail({ code: EXPORT_FAILURE_CODE, message: `Export failed: ${exportFailureMessage(error, this.ctx.config.landingZoneDir)}` });
    } finally {
      await sink?.close();
    }
  }

  private async watermark(client: pg.PoolClient, t: Tenancy, flowId: string, datasetId: string): Promise<number | undefined> {
    const { rows } = await client.query<{ last_seq: string }>(
      `SELECT last_seq FROM ${this.watermarks} WHERE org = $1 AND sandbox = $2 AND flow_id = $3 AND dataset_id = $4`,
      [t.orgId, t.sandbox, flowId, datasetId],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].last_seq);
  }

  /** The flow's run that is still in progress after due runs were completed, if any. */
  async inProgressRun(t: Tenancy, flowId: string): Promise<RunBody | null> {
    await this.completeDueRuns({ tenancy: t, flowId });
    const { rows } = await this.ctx.pool.query<{ body: RunBody }>(
      `SELECT body FROM ${this.entities}
       WHERE org = $1 AND sandbox = $2 AND kind = 'run' AND (body #>> '{flowId}') = $3 AND (body #>> '{__sim,phase}') = 'inProgress'
       ORDER BY seq DESC LIMIT 1`,
      [t.orgId, t.sandbox, flowId],
    );
    return rows[0]?.body ?? null;
  }
}

const engines = new WeakMap<SimulatorContext, RunEngine>();

export function runEngineFor(ctx: SimulatorContext): RunEngine {
  let engine = engines.get(ctx);
  if (engine === undefined) {
    engine = new RunEngine(ctx);
    engines.set(ctx, engine);
  }
  return engine;
}

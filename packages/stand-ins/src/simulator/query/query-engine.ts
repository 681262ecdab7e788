// The Query Service's lifecycle: submit (SUBMITTED, due after the configured start delay), a
// background worker that claims due queries (IN_PROGRESS), runs them with a time limit and writes
// SUCCESS/FAILED/TIMEOUT, cancel (KILLED), and restart safety: a graceful stop puts running
// queries back to SUBMITTED so the next start resumes them; a process that dies stops
// heart-beating and its queries end FAILED with a clear reason.
import { randomUUID } from 'node:crypto';
import type { SimulatorContext, Tenancy } from '../context.js';
import { pipelineSettingsFor } from './pipeline-settings.js';
import { QUERY_ERROR_CODES, systemError } from './query-errors.js';
import { TERMINAL_QUERY_STATES, type QueryDefinition, type QueryRecord } from './query-record.js';
import { QueryExecution, runQuery, type QueryOutcome } from './query-runner.js';
import { QueryStore, type CancelResult, type QueryListOptions } from './query-store.js';
import { buildEffectiveSql, looksLikeCtas, looksLikeInsertInto } from './effective-sql.js';
import { startTicker } from './ticker.js';

const TICK_MS = 100;
const HEARTBEAT_MS = 1000;
/** A running query whose worker has not heart-beaten for this long is considered orphaned. */
const STALE_AFTER_MS = 15_000;
const MAX_CONCURRENT_QUERIES = 2;

export interface QueryCaller {
  client: string;
  userId: string;
}

interface Running {
  record: QueryRecord;
  execution: QueryExecution;
  done: Promise<void>;
}

export class QueryEngine {
  readonly store: QueryStore;
  private readonly owner = randomUUID();
  private readonly running = new Map<string, Running>();
  private stopTicker: (() => Promise<void>) | null = null;
  private lastHeartbeatMs = 0;

  constructor(private readonly ctx: SimulatorContext) {
    this.store = new QueryStore(ctx.pool, ctx.schema);
  }

  async submit(t: Tenancy, request: QueryDefinition, caller: QueryCaller): Promise<QueryRecord> {
    const nowMs = this.ctx.now();
    const effectiveSql = buildEffectiveSql(request);
    const record: QueryRecord = {
      id: randomUUID(),
      orgId: t.orgId,
      sandbox: t.sandbox,
      state: 'SUBMITTED',
      request,
      effectiveSql,
      isCtas: looksLikeCtas(effectiveSql),
      isInsertInto: looksLikeInsertInto(effectiveSql),
      client: caller.client,
      userId: caller.userId,
      createdMs: nowMs,
      updatedMs: nowMs,
      startedMs: null,
      endedMs: null,
      rowCount: null,
      errors: [],
      referencedDatasetIds: [],
      createdDatasetId: null,
      softDeleted: false,
    };
    await this.store.insert(record, nowMs + pipelineSettingsFor(this.ctx).current().queryStartDelayMs);
    return record;
  }

  get(t: Tenancy, id: string): Promise<QueryRecord | null> {
    return this.store.get(t, id);
  }

  list(t: Tenancy, options: QueryListOptions): Promise<QueryRecord[]> {
    return this.store.list(t, options);
  }

  async cancel(t: Tenancy, id: string): Promise<CancelResult> {
    const result = await this.store.cancel(t, id, this.ctx.now(), {
      errors: [systemError(QUERY_ERROR_CODES.cancelled, 'The query was cancelled by a cancel request.')],
    });
    if (result === 'killed') this.running.get(id)?.execution.stop('KILLED');
    return result;
  }

  softDelete(t: Tenancy, id: string): Promise<boolean> {
    return this.store.softDelete(t, id, this.ctx.now());
  }

  start(): void {
    this.stopTicker ??= startTicker(TICK_MS, () => this.tick());
  }

  /** Stops the worker; running queries are interrupted and handed back as SUBMITTED. */
  async stop(): Promise<void> {
    await this.stopTicker?.();
    this.stopTicker = null;
    for (const running of this.running.values()) running.execution.stop('SHUTDOWN');
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async tick(): Promise<void> {
    const wallMs = Date.now();
    if (wallMs - this.lastHeartbeatMs >= HEARTBEAT_MS) {
      this.lastHeartbeatMs = wallMs;
      // A query killed through another simulator process sharing the schema stops here.
      const gone = await this.store.heartbeat([...this.running.keys()], this.owner, wallMs);
      for (const id of gone) this.running.get(id)?.execution.stop('KILLED');
      await this.store.failStale(this.ctx.now(), wallMs - STALE_AFTER_MS, {
        errors: [systemError(QUERY_ERROR_CODES.interrupted, 'The query was interrupted: the simulator process running it stopped. Submit it again.')],
      });
    }
    const free = MAX_CONCURRENT_QUERIES - this.running.size;
    if (free <= 0) return;
    for (const record of await this.store.claimDue(this.ctx.now(), Date.now(), this.owner, free)) this.launch(record);
  }

  private launch(record: QueryRecord): void {
    const execution = new QueryExecution();
    const settings = pipelineSettingsFor(this.ctx).current();
    const timer = setTimeout(() => execution.stop('TIMEOUT'), settings.queryTimeoutMs);
    const done = runQuery(this.ctx, record, execution, settings)
      .then((outcome) => this.settle(record, outcome))
      .catch(() => this.settle(record, { state: 'FAILED', errors: [systemError(QUERY_ERROR_CODES.internal, 'Internal error while running the query.')], referencedDatasetIds: [] }))
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        execution.finish();
        this.running.delete(record.id);
      });
    this.running.set(record.id, { record, execution, done });
  }

  private async settle(record: QueryRecord, outcome: QueryOutcome): Promise<void> {
    const nowMs = this.ctx.now();
    switch (outcome.state) {
      case 'SHUTDOWN':
        await this.store.requeue(record, this.owner, nowMs);
        return;
      case 'KILLED':
        // The cancel already wrote KILLED.
        return;
      case 'SUCCESS':
        await this.store.finish(record, this.owner, 'SUCCESS', {
          rowCount: outcome.rowCount,
          referencedDatasetIds: outcome.referencedDatasetIds,
          createdDatasetId: outcome.createdDatasetId,
          updatedMs: nowMs,
          endedMs: nowMs,
        });
        return;
      case 'FAILED':
      case 'TIMEOUT':
        await this.store.finish(record, this.owner, outcome.state, {
          errors: outcome.errors,
          referencedDatasetIds: outcome.referencedDatasetIds,
          updatedMs: nowMs,
          endedMs: nowMs,
        });
        return;
    }
  }
}

export function isLive(record: QueryRecord): boolean {
  return !TERMINAL_QUERY_STATES.has(record.state);
}

const engines = new WeakMap<SimulatorContext, QueryEngine>();

export function queryEngineFor(ctx: SimulatorContext): QueryEngine {
  let engine = engines.get(ctx);
  if (engine === undefined) {
    engine = new QueryEngine(ctx);
    engines.set(ctx, engine);
  }
  return engine;
}

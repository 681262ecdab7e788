// The run engine of the local ML platform: run-now stores a PENDING run and schedules it; after
// `startDelayMs` (a cluster's spin-up) it is claimed (PENDING -> RUNNING), trains and scores, and
// ends TERMINATED with SUCCESS or FAILED; then its callback is delivered. State lives in Postgres.
//
// Restart policy (start()): PENDING runs never started, so they are scheduled again; a RUNNING run
// was cut off mid-way (as when a Databricks driver dies) and ends INTERNAL_ERROR/FAILED with its
// failure callback; callbacks that were due but not delivered are sent again (same webhook-id).
// Like the simulator, this assumes one ML platform process per Postgres schema.
// Training runs on the event loop: fine for the local data sizes (thousands of users).
import type { FastifyBaseLogger } from 'fastify';
import type { MlPlatformFaults } from './faults.js';
import { deliverRunCallback, type BasicAuth } from './run-callback.js';
import { ACTIVE_STATES, type MlRun, type MlRunStore, type RunParameters, type Termination } from './run-store.js';
import { StorageHandoffError } from './storage-http.js';
import { trainAndScore } from './train-and-score.js';
import { TrainingSetError } from './training-set.js';

export interface MlJobRunnerOptions {
  store: MlRunStore;
  logger: FastifyBaseLogger;
  now: () => number;
  faults: MlPlatformFaults;
  startDelayMs: number;
  callback: { retryDelaysMs: readonly number[]; timeoutMs: number; basicAuth?: BasicAuth };
}

export type CancelOutcome = 'cancelled' | 'already_terminal' | 'not_found';

export const INTERRUPTED_MESSAGE = 'Run was interrupted by a restart of the ML platform';

export class MlJobRunner {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly options: MlJobRunnerOptions) {}

  /** Restart recovery (see the file comment). */
  async start(): Promise<void> {
    for (const run of await this.options.store.listByState(ACTIVE_STATES)) {
      if (run.lifeCycleState === 'PENDING') {
        this.schedule(run.runId);
        continue;
      }
      const ended = await this.options.store.terminate(
        run.runId,
        ['RUNNING'],
        { lifeCycleState: 'INTERNAL_ERROR', resultState: 'FAILED', stateMessage: INTERRUPTED_MESSAGE },
        this.options.now(),
      );
      if (ended !== null) this.options.logger.warn({ runId: run.runId }, 'ML run interrupted by a restart marked INTERNAL_ERROR');
    }
    for (const run of await this.options.store.listPendingCallbacks()) this.track(this.notify(run));
  }

  async runNow(input: { jobId: number; idempotencyToken?: string; parameters: RunParameters }): Promise<MlRun> {
    const { run, created } = await this.options.store.create({ ...input, nowMs: this.options.now() });
    if (created) this.schedule(run.runId);
    return run;
  }

  get(runId: number): Promise<MlRun | null> {
    return this.options.store.get(runId);
  }

  /** Cancels a pending or running run (TERMINATED/CANCELED); a finished run is left as it is. */
  async cancel(runId: number): Promise<CancelOutcome> {
    const ended = await this.options.store.terminate(
      runId,
      ACTIVE_STATES,
      { lifeCycleState: 'TERMINATED', resultState: 'CANCELED', stateMessage: 'Run cancelled.', userCancelled: true },
      this.options.now(),
    );
    if (ended === null) return (await this.options.store.get(runId)) === null ? 'not_found' : 'already_terminal';
    const timer = this.timers.get(runId);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(runId);
    this.track(this.notify(ended));
    return 'cancelled';
  }

  /** Stops scheduling, aborts callback retries and waits for runs in progress. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(runId: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(runId);
      this.track(this.execute(runId));
    }, this.options.startDelayMs);
    this.timers.set(runId, timer);
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'ML platform background work failed'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async execute(runId: number): Promise<void> {
    const { store, logger, now } = this.options;
    const run = await store.claim(runId, now());
    if (run === null) return;
    const log = logger.child({ runId, jobId: run.jobId });
    const termination = await this.work(run);
    const ended = await store.terminate(runId, ['RUNNING'], termination, now());
    // Cancelled while it ran: the run stays CANCELED, so nobody takes its scores for a result.
    if (ended === null) return;
    log.info({ resultState: ended.resultState, aucHoldout: ended.output?.auc_holdout }, 'ML run finished');
    await this.notify(ended);
  }

  private async work(run: MlRun): Promise<Termination> {
    const p = run.parameters;
    if (p.simulateFailure || this.options.faults.takeRunFailure()) {
      return { lifeCycleState: 'TERMINATED', resultState: 'FAILED', stateMessage: 'Simulated failure (fault injection).' };
    }
    try {
      const output = await trainAndScore({
        training: { ...(p.trainingFiles === undefined ? {} : { files: p.trainingFiles }), ...(p.trainingFilesUrl === undefined ? {} : { filesUrl: p.trainingFilesUrl }) },
        scores: { uri: p.scoresUri, uploadUrl: p.scoresUploadUrl, uploadHeaders: p.scoresUploadHeaders },
        featureColumns: p.featureColumns,
        labelColumn: p.labelColumn,
        idColumn: p.idColumn,
        holdoutFraction: p.holdoutFraction,
        seed: p.seed,
      });
      return { lifeCycleState: 'TERMINATED', resultState: 'SUCCESS', stateMessage: '', output };
    } catch (error) {
      // Bad input is the task's failure (TERMINATED/FAILED); anything else is the platform's.
      if (error instanceof TrainingSetError || error instanceof StorageHandoffError) {
        return { lifeCycleState: 'TERMINATED', resultState: 'FAILED', stateMessage: error.message };
      }
      this.options.logger.error({ err: error, runId: run.runId }, 'ML run crashed');
      return { lifeCycleState: 'INTERNAL_ERROR', resultState: 'FAILED', stateMessage: `Internal error: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async notify(run: MlRun): Promise<void> {
    if (run.callbackStatus !== 'pending') return;
    const { store, logger, faults } = this.options;
    const log = logger.child({ runId: run.runId });
    if (run.parameters.dropCallback || faults.takeCallbackDrop()) {
      await store.recordCallback(run.runId, { status: 'dropped', attempts: 0 });
      log.info('ML run callback dropped (fault injection)');
      return;
    }
    let outcome;
    try {
      outcome = await deliverRunCallback(run, { ...this.options.callback, now: this.options.now, signal: this.abort.signal });
    } catch (error) {
      // Closing: the callback stays pending and the next start delivers it.
      if (this.abort.signal.aborted) return;
      throw error;
    }
    await store.recordCallback(run.runId, outcome);
    if (outcome.status === 'delivered') log.info({ attempts: outcome.attempts }, 'ML run callback delivered');
    else log.warn({ attempts: outcome.attempts, error: outcome.error }, 'ML run callback not delivered');
  }
}

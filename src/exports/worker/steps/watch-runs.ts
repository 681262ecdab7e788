// Step `watch_runs` of a recurring export: the Platform starts its flow's runs on the schedule, so
// the worker discovers them. Each look is one call, `GET /runs?property=flowId==<flow>` (newest
// first, limit 20), which returns the runs themselves: a new run becomes one of the export's runs,
// a finished one records its state, files (listed through the storage adapter), records, bytes and
// errors, and is announced once (outbox row in the transaction that records the finish).
//
// Why the looks are spaced as they are: a scheduled run only starts at a schedule instant (every
// 3 hours at the most) and then takes minutes. So while a run is in progress the export polls like
// an ad hoc run (RUN_POLL_INITIAL_MS doubling to RUN_POLL_MAX_MS); while idle it backs off from
// RECURRING_POLL_INITIAL_MS doubling to RECURRING_POLL_MAX_MS (30 s to 15 min by default), but
// never sleeps past the next schedule instant or the end, so a new run is seen within a poll or so.
// An idle PT3H export costs about 15 calls per cycle instead of 360 at a fixed 30 s; anything seen
// to change restarts the backoff.
//
// A paused export is watched too, while a run that started before the pause is still going: it is
// recorded and announced when it finishes, and the export stays `paused`. Then the job stops until
// a resume wakes it. Platform trouble meanwhile never moves it out of `paused`.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../../generated/prisma/client.js';
import { notifyExportRun, notifyExportStatus } from '../../../notifications/export-notifications.js';
import type { Run } from '../../../platform/types.js';
import { PlatformError } from '../../../platform/errors.js';
import { nextRunAtOf, parseStoredSchedule, scheduleEndMs, type RecurringSchedule } from '../../export-schedule.js';
import { backoffDelayMs } from '../../../jobs/backoff.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { completedAtOf, runErrorsOf, runOutcomeOf, runOutputOf, type RunOutput } from '../run-metrics.js';
import { jump, type StepContext, type StepEnd, type StepHandler, type StepResult } from '../step-context.js';
import { currentRun, moveRun } from '../worker-store.js';
import { bindingOf } from './binding.js';
import { keepRecurringFlowAlive } from './flow-lifetime.js';
import { listLandedRunFiles } from './list-files.js';

/** Runs read per look: far more than can start between two looks. */
const RUNS_PER_LOOK = 20;

/**
 * How often the flow itself is read while idle (every this many looks, and after each finished
 * run) to keep a flow without endAt alive (flow-lifetime.ts): with the default backoff an idle
 * PT3H export reads it once or twice a cycle, and a flow ended by the Platform is seen within
 * about two hours even when no run comes.
 */
const FLOW_CHECK_EVERY_IDLE_LOOKS = 8;

type FinishedState = 'succeeded' | 'failed';

/** Records one Platform run of the flow; true when it is new or newly finished. */
async function recordPlatformRun(ctx: StepContext, run: Run): Promise<boolean> {
  const outcome = runOutcomeOf(run);
  const state = outcome === 'success' ? 'succeeded' : outcome === 'failed' ? 'failed' : 'in_progress';
  const startedMs = run.metrics?.durationSummary?.startedAtUTC ?? run.createdAt ?? ctx.now();
  const output: RunOutput = state === 'succeeded' ? runOutputOf(run) : { files: null, bytes: null, records: null };
  const errors = state === 'failed' ? runErrorsOf(run) : undefined;
  const completedAt = state === 'in_progress' ? null : completedAtOf(run, ctx.now());
  const at = new Date(ctx.now());
  const changed = await ctx.db.$transaction(async (tx) => {
    const announce = async (id: string, finished: FinishedState) =>
      notifyExportRun(
        tx,
        ctx.exp,
        {
          id,
          platformRunId: run.id,
          state: finished,
          files: output.files,
          records: output.records,
          bytes: output.bytes,
          errors: errors ?? [],
        },
        at,
      );
    const existing = await tx.exportRun.findUnique({ where: { platformRunId: run.id } });
    if (existing === null) {
      const id = randomUUID();
      const { count } = await tx.exportRun.createMany({
        data: [
          {
            id,
            exportId: ctx.exp.id,
            state,
            platformRunId: run.id,
            requestedAt: new Date(run.createdAt ?? startedMs),
            startedAt: new Date(startedMs),
            completedAt,
            ...output,
            ...(errors === undefined ? {} : { errors }),
          },
        ],
        skipDuplicates: true,
      });
      if (count === 1 && state !== 'in_progress') await announce(id, state);
      return count === 1;
    }
    if (existing.exportId !== ctx.exp.id || existing.state !== 'in_progress' || state === 'in_progress') return false;
    const moved = await moveRun(tx, existing.id, ['in_progress'], { state, completedAt, ...output, ...(errors === undefined ? {} : { errors }) });
    if (moved) await announce(existing.id, state);
    return moved;
  });
  if (changed && state !== 'in_progress') {
    ctx.runFinished?.(state, 'scheduled');
    ctx.log.info({ platformRunId: run.id, state }, 'scheduled run finished');
  }
  return changed;
}

/** Past its endAt (a schedule without one never ends by itself: its flow is kept alive). */
function scheduleIsOver(ctx: StepContext, schedule: RecurringSchedule): boolean {
  return ctx.now() >= scheduleEndMs(schedule);
}

async function finishEnded(ctx: StepContext): Promise<StepEnd> {
  const at = new Date(ctx.now());
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, { status: 'ended', step: 'done', error: Prisma.DbNull, lastError: Prisma.DbNull, attempts: 0, finishedAt: at, deadlineAt: null, nextCheckAt: at });
    await notifyExportStatus(tx, ctx.exp, 'ended', at);
  });
  ctx.log.info('recurring export ended');
  return { kind: 'finished' };
}

function watchDelayMs(ctx: StepContext, schedule: RecurringSchedule, runOpen: boolean): number {
  const s = ctx.settings;
  if (runOpen) return backoffDelayMs(ctx.waits, { initialMs: s.runPollInitialMs, maxMs: s.runPollMaxMs }, ctx.random);
  const idle = backoffDelayMs(ctx.waits, { initialMs: s.recurringPollInitialMs, maxMs: s.recurringPollMaxMs }, ctx.random);
  const now = ctx.now();
  const nextAt = nextRunAtOf(schedule, now)?.getTime() ?? Number.POSITIVE_INFINITY;
  const endAt = scheduleEndMs(schedule);
  // Look again shortly after the next instant (the run needs a moment to appear) or the end.
  const cap = Math.min(nextAt, endAt) - now + s.runPollInitialMs;
  return Math.max(s.runPollInitialMs, Math.min(idle, cap));
}

/**
 * What a step result becomes while paused: a wait keeps the export paused; anything else (a
 * permanent error, a flow to set up again) stops the watch until a resume.
 */
function whilePaused(ctx: StepContext, result: StepResult<'watch_runs'>): StepResult<'watch_runs'> {
  if (result.kind === 'wait') return { ...result, status: 'paused' };
  if (result.kind === 'jump') return { kind: 'finished' };
  if (result.kind === 'fail') {
    ctx.log.warn({ error: result.error }, 'watching a paused export failed; its runs are looked at again on resume');
    return { kind: 'finished' };
  }
  return result;
}

export const watchRunsStep: StepHandler<'watch_runs'> = async (ctx) => {
  const result = await watchRuns(ctx);
  return ctx.fenced.status === 'paused' ? whilePaused(ctx, result) : result;
};

async function watchRuns(ctx: StepContext): Promise<StepResult<'watch_runs'>> {
  const schedule = parseStoredSchedule(ctx.exp.schedule);
  if (schedule === null) return jump('watch_runs', 'trigger_run');
  const binding = await bindingOf(ctx);
  if (binding.flowId === null) return jump('watch_runs', 'flow');

  let runs: Run[];
  try {
    runs = await ctx.platform.listFlowRuns(binding.flowId, { limit: RUNS_PER_LOOK });
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'watch_runs');
  }
  // One read says which runs are already known and settled; only the others take a transaction.
  const known = await ctx.db.exportRun.findMany({ where: { platformRunId: { in: runs.map((r) => r.id) } }, select: { platformRunId: true, state: true } });
  const stateOf = new Map(known.map((r) => [r.platformRunId, r.state]));
  let changed = false;
  let finished = false;
  // Oldest first, so runs are recorded (and announced) in the order the Platform started them.
  for (const run of [...runs].reverse()) {
    const recorded = stateOf.get(run.id);
    if (recorded !== undefined && (recorded !== 'in_progress' || runOutcomeOf(run) === 'in_progress')) continue;
    if (await recordPlatformRun(ctx, run)) {
      changed = true;
      if (runOutcomeOf(run) !== 'in_progress') finished = true;
    }
  }
  if (schedule.endAt === null && ctx.fenced.status !== 'paused' && (finished || ctx.waits % FLOW_CHECK_EVERY_IDLE_LOOKS === 0)) {
    try {
      await keepRecurringFlowAlive(ctx, schedule, await ctx.platform.getFlow(binding.flowId));
    } catch (error) {
      // A flow the Platform lost is found again or recreated by verify_flow.
      if (error instanceof PlatformError && error.kind === 'not_found') return jump('watch_runs', 'verify_flow');
      return outcomeOfPlatformError(ctx, error, 'watch_runs');
    }
  }
  const listing = await listLandedRunFiles(ctx);
  if (listing !== null) return listing;

  const open = await currentRun(ctx.db, ctx.exp.id);
  if (ctx.fenced.status === 'paused') {
    if (open === null) return { kind: 'finished' };
    return { kind: 'wait', delayMs: watchDelayMs(ctx, schedule, true), status: 'paused', reason: 'a run started before the pause is in progress', resetBackoff: changed };
  }
  if (open === null && scheduleIsOver(ctx, schedule)) return finishEnded(ctx);
  return {
    kind: 'wait',
    delayMs: watchDelayMs(ctx, schedule, open !== null),
    status: 'active',
    reason: open === null ? 'waiting for the next scheduled run' : 'a scheduled run is in progress',
    resetBackoff: changed,
  };
}

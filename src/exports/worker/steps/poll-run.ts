// Step `poll_run`: look at the Platform run until it succeeds, fails or the export's deadline
// passes; between looks the job is delayed with backoff (no worker slot held). A success records
// files, bytes and records; a failure records the Platform's own code and message.
import { runFailureError } from '../../../platform/errors.js';
import { backoffDelayMs } from '../../../jobs/backoff.js';
import { exportErrorOf, outcomeOfPlatformError } from '../platform-outcome.js';
import { completedAtOf, runErrorsOf, runOutcomeOf, runOutputOf } from '../run-metrics.js';
import { advance, fail, jump, wait, type StepHandler } from '../step-context.js';
import { currentRun, moveRun } from '../worker-store.js';
import { deadlinePassed, finishSucceeded, finishTimedOut } from './finish.js';

export const pollRunStep: StepHandler<'poll_run'> = async (ctx) => {
  // Right after trigger_run in this activation the run is known; later looks read it.
  const run = ctx.started.run ?? (await currentRun(ctx.db, ctx.exp.id));
  ctx.started.run = undefined;
  if (run === null) return finishSucceeded(ctx);
  if (run.state !== 'in_progress' || run.platformRunId === null) return jump('poll_run', 'trigger_run');

  let platformRun;
  try {
    platformRun = await ctx.platform.getRun(run.platformRunId);
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'poll_run');
  }

  switch (runOutcomeOf(platformRun)) {
    case 'success': {
      const output = runOutputOf(platformRun);
      await moveRun(ctx.db, run.id, ['in_progress'], { state: 'succeeded', ...output, completedAt: completedAtOf(platformRun, ctx.now()) });
      ctx.runFinished?.('succeeded', 'adhoc');
      ctx.log.info({ platformRunId: run.platformRunId, files: output.files, records: output.records?.toString() }, 'run succeeded');
      // Name what landed before anything else (another run may have been requested meanwhile).
      return advance;
    }
    case 'failed': {
      const error = runFailureError(platformRun);
      await moveRun(ctx.db, run.id, ['in_progress'], {
        state: 'failed',
        errors: runErrorsOf(platformRun),
        completedAt: completedAtOf(platformRun, ctx.now()),
      });
      ctx.runFinished?.('failed', 'adhoc');
      ctx.log.warn({ platformRunId: run.platformRunId, code: error.code }, 'run failed at the Platform');
      return fail(exportErrorOf(error, 'poll_run', 'platform_run_failed'));
    }
    case 'in_progress': {
      if (deadlinePassed(ctx)) return finishTimedOut(ctx, 'poll_run');
      const { runPollInitialMs: initialMs, runPollMaxMs: maxMs } = ctx.settings;
      return wait(backoffDelayMs(ctx.waits, { initialMs, maxMs }, ctx.random), 'running', 'the Platform run is in progress');
    }
  }
};

// Step `list_files`: after a run succeeded, list the run's folder at the destination through the
// storage adapter and record the folder URI and each file's URI and size, so `GET /exports/:id`
// says where the data is. Listing failures never fail the export (the Platform delivered): a few
// retries with backoff, then the reason is kept on the run as `filesError`.
import { locateRunFolder } from '../../landed-run-folder.js';
import { backoffDelayMs } from '../../../jobs/backoff.js';
import { jump, wait, type StepContext, type StepEnd, type StepHandler } from '../step-context.js';
import { recordRunFiles } from '../worker-store.js';
import { finishSucceededUnlessRunOpen } from './finish.js';

const MAX_LISTING_ATTEMPTS = 5;

export const listFilesStep: StepHandler<'list_files'> = async (ctx) => {
  const waiting = await listLandedRunFiles(ctx);
  if (waiting !== null) return waiting;
  // Finished unless another run was requested meanwhile (one conditional write decides it).
  return (await finishSucceededUnlessRunOpen(ctx)) ?? jump('list_files', 'trigger_run');
};

/**
 * Lists the folder of every succeeded run not listed yet (ad hoc or scheduled); a wait while a
 * listing is retried, else null.
 */
export async function listLandedRunFiles(ctx: StepContext): Promise<StepEnd | null> {
  const runs = await ctx.db.exportRun.findMany({
    where: { exportId: ctx.exp.id, state: 'succeeded', filesListedAt: null, platformRunId: { not: null } },
    orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }],
  });
  for (const run of runs) {
    const platformRunId = run.platformRunId ?? '';
    let store;
    try {
      store = await ctx.stores.forDestination(ctx.exp.destination);
      const folder = await locateRunFolder(store, ctx.exp, { platformRunId, startedAt: run.startedAt, completedAt: run.completedAt });
      // Recorded once (a second activation listing the same run writes nothing).
      await recordRunFiles(ctx.db, run.id, {
        folderUri: folder?.folderUri ?? null,
        filesListedAt: new Date(ctx.now()),
        filesError: folder === null ? 'No folder for this run was found at the destination.' : null,
        files: folder?.files ?? [],
      });
      ctx.log.info({ platformRunId, folderUri: folder?.folderUri, files: folder?.files.length ?? 0 }, 'run files listed');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (ctx.waits + 1 < MAX_LISTING_ATTEMPTS) {
        ctx.log.warn({ platformRunId, err: message }, 'listing the run folder failed; retrying');
        const status = ctx.exp.schedule === null ? 'running' : 'active';
        return wait(backoffDelayMs(ctx.waits, { initialMs: ctx.settings.runPollInitialMs, maxMs: ctx.settings.runPollMaxMs }, ctx.random), status, 'listing the landed files');
      }
      await ctx.db.exportRun.update({ where: { id: run.id }, data: { filesListedAt: new Date(ctx.now()), filesError: `Listing the destination failed: ${message}` } });
      ctx.log.warn({ platformRunId, err: message }, 'listing the run folder failed; giving up');
    } finally {
      await store?.close();
    }
  }
  return null;
}

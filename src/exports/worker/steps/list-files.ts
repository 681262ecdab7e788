// Step `list_files`: after a run succeeded, list the run's folder at the destination through the
// storage adapter and record the folder URI and each file's URI and size, so `GET /exports/:id`
// says where the data is. Listing failures never fail the export (the Platform delivered): a few
// retries with backoff, then the reason is kept on the run as `filesError`.
import { locateRunFolder } from '../../landed-run-folder.js';
import { backoffDelayMs } from '../backoff.js';
import { next, wait, type StepHandler } from '../step-context.js';
import { currentRun } from '../worker-store.js';
import { finishSucceeded } from './finish.js';

const MAX_LISTING_ATTEMPTS = 5;

export const listFilesStep: StepHandler = async (ctx) => {
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
      const at = new Date(ctx.now());
      await ctx.db.$transaction(async (tx) => {
        await tx.exportRunFile.deleteMany({ where: { runId: run.id } });
        if (folder !== null && folder.files.length > 0) {
          await tx.exportRunFile.createMany({ data: folder.files.map((f) => ({ runId: run.id, path: f.path, uri: f.uri, size: BigInt(f.size) })) });
        }
        await tx.exportRun.update({
          where: { id: run.id },
          data: {
            folderUri: folder?.folderUri ?? null,
            filesListedAt: at,
            filesError: folder === null ? 'No folder for this run was found at the destination.' : null,
          },
        });
      });
      ctx.log.info({ platformRunId, folderUri: folder?.folderUri, files: folder?.files.length ?? 0 }, 'run files listed');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (ctx.waits + 1 < MAX_LISTING_ATTEMPTS) {
        ctx.log.warn({ platformRunId, err: message }, 'listing the run folder failed; retrying');
        return wait(backoffDelayMs(ctx.waits, { initialMs: ctx.settings.runPollInitialMs, maxMs: ctx.settings.runPollMaxMs }, ctx.random), 'running', 'listing the landed files');
      }
      await ctx.db.exportRun.update({ where: { id: run.id }, data: { filesListedAt: new Date(ctx.now()), filesError: `Listing the destination failed: ${message}` } });
      ctx.log.warn({ platformRunId, err: message }, 'listing the run folder failed; giving up');
    } finally {
      await store?.close();
    }
  }
  return (await currentRun(ctx.db, ctx.exp.id)) === null ? finishSucceeded(ctx) : next('trigger_run');
};

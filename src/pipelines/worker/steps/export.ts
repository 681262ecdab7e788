// Step `export`: an ordinary export (the export service's store and queue, as POST /exports
// commits it), so the export worker does the Platform work with all its reuse and recovery. The
// Export row and the step's exportId are written in one transaction: a crash never leaves an
// export this step does not know. Then the step waits for the export to end; its output `landed`
// is the folder the run landed in, as a location of the destination with its URI.
import type { Prisma } from '../../../generated/prisma/client.js';
import { storedLastErrorOf } from '../../../last-error.js';
import { enqueueExportAfterCommit } from '../../../exports/export-enqueue.js';
import { insertExport, lockLiveDestination } from '../../../exports/export-store.js';
import { done, fail } from '../pipeline-model.js';
import { resolvedText } from '../references.js';
import { outcomeOfCallError, pollDelayMs } from '../pipeline-outcome.js';
import { idOf, type StepContext, type StepHandler } from '../step-context.js';
import { withLocation, type StepLocation } from '../storage-locations.js';

async function createExport(ctx: StepContext<'export'>): Promise<string | null> {
  const def = ctx.definition;
  const at = new Date(ctx.now());
  ctx.crash('export', 'before');
  const exportId = await ctx.db.$transaction(async (tx) => {
    if (!(await lockLiveDestination(tx, ctx.pipeline.tenantId, def.destinationId))) return null;
    const row = await insertExport(
      tx,
      {
        tenantId: ctx.pipeline.tenantId,
        destinationId: def.destinationId,
        datasetId: resolvedText(def.datasetId),
        path: def.path,
        format: def.format,
        compression: def.compression,
        schedule: null,
        callbackUrl: null,
      },
      { requestRun: true, now: at },
    );
    ctx.ids.exportId = row.id;
    await ctx.fenced.updateStep(tx, ctx.step.id, { externalIds: { ...ctx.ids } as Prisma.InputJsonObject });
    return row.id;
  });
  if (exportId === null) return null;
  ctx.crash('export', 'after');
  await enqueueExportAfterCommit(ctx.producer, exportId, ctx.log);
  ctx.log.info({ exportId }, 'export created for the pipeline');
  return exportId;
}

export const exportStep: StepHandler<'export'> = async (ctx) => {
  let exportId = idOf(ctx.ids, 'exportId');
  if (exportId === undefined) {
    const created = await createExport(ctx);
    if (created === null) return fail('destination_missing', `Destination ${ctx.definition.destinationId} no longer exists.`);
    exportId = created;
  }
  const exp = await ctx.db.export.findUnique({ where: { id: exportId }, include: { runs: true } });
  if (exp === null) return fail('export_missing', `Export ${exportId} of this step no longer exists.`);
  switch (exp.status) {
    case 'succeeded': {
      const runs = exp.runs.filter((r) => r.state === 'succeeded');
      const last = runs.at(-1);
      // The run's own folder as the export worker listed it; else the dataset's folder, under
      // which the Platform lands <path>/<datasetId>/exportTime=<ts>/ (reference 3.6).
      const folder: StepLocation = { destinationId: exp.destinationId, path: `${exp.path}/${exp.datasetId}/` };
      let landed: StepLocation & { uri: string };
      try {
        landed = await withLocation(ctx, folder, 'exported', ({ store, location }) => {
          const runPath = last?.folderUri ? store.pathOf(last.folderUri) : null;
          return Promise.resolve(runPath === null ? location : { ...location, path: runPath, uri: store.uriOf(runPath) });
        });
      } catch (error) {
        return outcomeOfCallError(ctx, error);
      }
      return done({
        exportId: exp.id,
        datasetId: exp.datasetId,
        landed,
        landedUri: landed.uri,
        platformRunId: last?.platformRunId ?? null,
        files: runs.reduce((n, r) => n + (r.files ?? 0), 0),
        records: runs.reduce((n, r) => n + Number(r.records ?? 0), 0),
      });
    }
    case 'failed':
    case 'timed_out':
    case 'cancelled': {
      const error = (exp.error ?? {}) as { message?: string; platformCode?: string; platformMessage?: string };
      return fail('export_failed', `Export ${exp.id} ended ${exp.status}${error.message ? `: ${error.message}` : '.'}`, {
        ...(error.platformCode ? { platformCode: error.platformCode } : {}),
        ...(error.platformMessage ? { platformMessage: error.platformMessage } : {}),
      });
    }
    default: {
      // The export's own retry, shown on this step too while the export waits (src/last-error.ts).
      const relayed = storedLastErrorOf(exp.lastError);
      return { kind: 'wait', delayMs: pollDelayMs(ctx), reason: `export ${exp.id} is ${exp.status}`, ...(relayed === null ? {} : { relayedLastError: relayed }) };
    }
  }
};

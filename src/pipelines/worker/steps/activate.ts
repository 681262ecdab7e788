// Step `activate`: the audience to a file destination (reference 6). The destination's base
// connection is the one its exports share (same name, same lock); this step gets its own Profile
// Store source connection, target connection and audience flow, each found by its deterministic
// name before it is created. The segment is mapped into the flow (PATCH with If-Match), then the
// v2 ad hoc activation exports it and the step follows the run. The trigger time is saved before
// the call, so after a crash or a lost answer the step adopts the flow's run instead of starting
// another.
import { destinationLockKey, withTryAdvisoryLock } from '../../../exports/worker/advisory-lock.js';
import { audienceTargetConnectionParams, InvalidDestinationError, platformDestinationOf, type PlatformDestination } from '../../../destinations/platform-destination.js';
import { findOrCreate } from '../../../exports/worker/find-or-create.js';
import { baseConnectionName } from '../../../exports/worker/platform-names.js';
import { parkedScheduleParams } from '../../../exports/worker/schedule-params.js';
import { saveBaseConnectionId } from '../../../exports/worker/worker-store.js';
import type { Destination } from '../../../generated/prisma/client.js';
import { platformErrorCause } from '../../../last-error.js';
import { PlatformError } from '../../../platform/errors.js';
import { runOutcomeOf } from '../../../platform/run-outcome.js';
import { externalName } from '../external-names.js';
import { resolvedText } from '../references.js';
import { done, fail, wait, type StepOutcome } from '../pipeline-model.js';
import { notReadyDelayMs, outcomeOfCallError, pollDelayMs } from '../pipeline-outcome.js';
import { idOf, type StepContext, type StepHandler } from '../step-context.js';

/** Clock skew allowed between our trigger time and the Platform's run createdAt. */
const ADOPTION_SKEW_MS = 60_000;

async function baseConnection(ctx: StepContext<'activate'>, destination: Destination, target: PlatformDestination): Promise<string | null> {
  if (destination.baseConnectionId !== null) return destination.baseConnectionId;
  const name = baseConnectionName(destination.tenantId, destination.id);
  // Credentials read again under the lock PATCH /destinations/:id rotates them under.
  const outcome = await withTryAdvisoryLock(ctx.db, destinationLockKey(destination.id), async (tx) => {
    const fresh = await tx.destination.findUniqueOrThrow({ where: { id: destination.id } });
    if (fresh.baseConnectionId !== null) return fresh.baseConnectionId;
    const auth = platformDestinationOf(fresh, ctx.secrets).auth;
    const { id } = await findOrCreate({
      step: 'activate_base',
      crash: ctx.crash,
      find: () => ctx.platform.findBaseConnectionByName(name),
      create: () => ctx.platform.createBaseConnection({ name, connectionSpecId: target.connectionSpecId, auth, description: `aep-distiller-jobs destination ${destination.name}` }),
    });
    await saveBaseConnectionId(tx, destination.id, id);
    return id;
  });
  return outcome.acquired ? outcome.value : null;
}

async function ensureObject(ctx: StepContext<'activate'>, key: string, find: () => Promise<{ id: string } | null>, create: () => Promise<{ id: string }>): Promise<string> {
  const saved = idOf(ctx.ids, key);
  if (saved !== undefined) return saved;
  const { id, created } = await findOrCreate({ step: 'activate_chain', crash: ctx.crash, find, create });
  await ctx.saveIds({ [key]: id });
  ctx.log.info({ [key]: id, created }, created ? 'audience dataflow object created' : 'audience dataflow object found by name');
  return id;
}

/**
 * A one-time full export scheduled for the current UTC hour, in the fields Adobe's own activation
 * example shows (destinations.yaml `Batch_Flow_Daily_Full_Once_Scheduled`: frequency ONCE,
 * triggerType SCHEDULED, startDate YYYY-MM-DD, startTime HH:MM with minutes 00 per
 * BaseSegmentSelectorValue.schedule.startTime). The ad hoc activation then exports it now.
 */
export function onceSchedule(nowMs: number): { frequency: 'ONCE'; triggerType: 'SCHEDULED'; startDate: string; startTime: string } {
  const iso = new Date(nowMs).toISOString();
  return { frequency: 'ONCE', triggerType: 'SCHEDULED', startDate: iso.slice(0, 10), startTime: `${iso.slice(11, 13)}:00` };
}

/** Adds the segment to the flow's segment selectors unless it is there already. */
async function mapSegment(ctx: StepContext<'activate'>, flowId: string, segmentId: string): Promise<void> {
  if (ctx.ids.segmentMapped === true) return;
  const flow = await ctx.platform.getFlow(flowId);
  if (!JSON.stringify(flow.transformations ?? []).includes(`"id":"${segmentId}"`)) {
    if (!flow.etag) throw new PlatformError({ kind: 'transient', endpoint: 'flows.get', plainMessage: `The Platform returned flow ${flowId} without an etag.` });
    await ctx.platform.patchFlow(
      flowId,
      [
        {
          op: 'add',
          path: '/transformations/0/params/segmentSelectors/selectors/-',
          value: {
            type: 'PLATFORM_SEGMENT',
            value: {
              id: segmentId,
              name: `aepjobs ${ctx.pipeline.name}`,
              fileNameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%',
              exportMode: 'DAILY_FULL_EXPORT',
              schedule: onceSchedule(ctx.now()),
            },
          },
        },
      ],
      flow.etag,
    );
  }
  await ctx.saveIds({ segmentMapped: true });
}

/** A run of this step's flow started since the saved trigger time (the flow is ours alone). */
async function adoptRun(ctx: StepContext<'activate'>, flowId: string): Promise<string | null> {
  const requestedAt = ctx.ids.activationRequestedAt;
  if (typeof requestedAt !== 'number') return null;
  const runs = (await ctx.platform.listFlowRuns(flowId, { limit: 20 })).filter((r) => (r.createdAt ?? 0) >= requestedAt - ADOPTION_SKEW_MS);
  const run = runs.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))[0];
  if (run === undefined) return null;
  await ctx.saveIds({ platformRunId: run.id });
  ctx.log.info({ platformRunId: run.id }, 'adopted the activation run a lost answer had started');
  return run.id;
}

async function activate(ctx: StepContext<'activate'>, flowId: string, segmentId: string): Promise<string | StepOutcome> {
  const adopted = await adoptRun(ctx, flowId);
  if (adopted !== null) return adopted;
  await ctx.saveIds({ activationRequestedAt: ctx.now() });
  try {
    ctx.crash('activate', 'before');
    const { runId } = await ctx.platform.startAdhocAudienceActivation(flowId, segmentId);
    ctx.crash('activate', 'after');
    await ctx.saveIds({ platformRunId: runId });
    ctx.log.info({ platformRunId: runId }, 'audience activation started');
    return runId;
  } catch (error) {
    if (error instanceof PlatformError && error.kind === 'not_ready') return wait(notReadyDelayMs(ctx), error.plainMessage, platformErrorCause(error));
    if (error instanceof PlatformError && (error.kind === 'conflict' || error.ambiguous)) {
      const run = await adoptRun(ctx, flowId);
      if (run !== null) return run;
    }
    throw error;
  }
}

export const activateStep: StepHandler<'activate'> = async (ctx) => {
  const def = ctx.definition;
  const segmentId = resolvedText(def.segmentId);
  const destination = await ctx.db.destination.findFirst({ where: { id: def.destinationId, tenantId: ctx.pipeline.tenantId, deletedAt: null } });
  if (destination === null) return fail('destination_missing', `Destination ${def.destinationId} no longer exists.`);
  let target: PlatformDestination;
  try {
    target = platformDestinationOf(destination, ctx.secrets);
  } catch (error) {
    if (!(error instanceof InvalidDestinationError)) throw error;
    return fail('destination_invalid', error.message);
  }
  try {
    const baseConnectionId = await baseConnection(ctx, destination, target);
    if (baseConnectionId === null) return wait(pollDelayMs(ctx), "another job is creating this destination's base connection");
    const sourceName = externalName('audsource', ctx.identity);
    const sourceId = await ensureObject(ctx, 'sourceConnectionId', () => ctx.platform.findSourceConnectionByName(sourceName), () =>
      ctx.platform.createProfileSourceConnection({ name: sourceName, description: 'aep-distiller-jobs audience activation source' }),
    );
    const targetName = externalName('audtarget', ctx.identity);
    const targetId = await ensureObject(ctx, 'targetConnectionId', () => ctx.platform.findTargetConnectionByName(targetName), () =>
      ctx.platform.createTargetConnection({
        name: targetName,
        baseConnectionId,
        connectionSpecId: target.connectionSpecId,
        params: audienceTargetConnectionParams(target, { path: def.path, format: def.format, compression: 'gzip' }),
        description: 'aep-distiller-jobs audience activation target',
      }),
    );
    const flowName = externalName('audflow', ctx.identity);
    const flowId = await ensureObject(ctx, 'flowId', () => ctx.platform.findFlowByName(flowName), () =>
      ctx.platform.createAudienceFlow({
        name: flowName,
        flowSpecId: target.flowSpecId,
        sourceConnectionId: sourceId,
        targetConnectionId: targetId,
        scheduleParams: parkedScheduleParams(ctx.now()),
        description: 'aep-distiller-jobs audience activation flow',
      }),
    );
    await mapSegment(ctx, flowId, segmentId);

    let runId = idOf(ctx.ids, 'platformRunId');
    if (runId === undefined) {
      const started = await activate(ctx, flowId, segmentId);
      if (typeof started !== 'string') return started;
      runId = started;
    }
    const run = await ctx.platform.getRun(runId);
    switch (runOutcomeOf(run)) {
      case 'success':
        return done({
          flowId,
          platformRunId: runId,
          files: run.metrics?.fileSummary?.outputFileCount ?? null,
          records: run.metrics?.recordSummary?.outputRecordCount ?? null,
        });
      case 'failed': {
        const first = run.metrics?.statusSummary?.errors?.[0];
        return fail('activation_failed', `Activation run ${runId} failed${first?.message ? `: ${first.message}` : '.'}`, {
          ...(first?.code === undefined ? {} : { platformCode: first.code }),
          ...(first?.message === undefined ? {} : { platformMessage: first.message }),
        });
      }
      case 'in_progress':
        return wait(pollDelayMs(ctx), 'the activation run is in progress');
    }
  } catch (error) {
    return outcomeOfCallError(ctx, error);
  }
};

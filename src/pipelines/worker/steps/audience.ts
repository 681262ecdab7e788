// Step `audience`: a segment definition (PQL from the score rule, e.g. `_cmle.propensity >= 0.2 and
// _cmle.propensity <= 0.93`) with a deterministic name, then a segment job that evaluates it now,
// and the audience size once the job succeeds. A lost job answer is found again in the job list
// (the segment is this step's own, so any job of it is ours).
import { findOrCreate } from '../../../jobs/find-or-create.js';
import { isDuplicateSegmentName } from '../../../platform/segmentation.js';
import { externalName } from '../external-names.js';
import { done, fail, wait } from '../pipeline-model.js';
import { outcomeOfCallError, pollDelayMs } from '../pipeline-outcome.js';
import { idOf, type StepContext, type StepHandler } from '../step-context.js';

/** PQL for a score band: `attr >= min and attr <= max` (either bound may be absent). */
export function bandPql(attribute: string, min: number | undefined, max: number | undefined): string {
  const parts = [...(min === undefined ? [] : [`${attribute} >= ${min}`]), ...(max === undefined ? [] : [`${attribute} <= ${max}`])];
  return parts.join(' and ');
}

async function pqlOf(ctx: StepContext<'audience'>): Promise<string> {
  const def = ctx.definition;
  if (def.pql !== undefined) return def.pql;
  const rule = def.rule ?? {};
  const attribute = rule.attribute ?? `_${idOf(ctx.ids, 'registryTenant') ?? (await ctx.platform.getRegistryTenantId())}.propensity`;
  return bandPql(attribute, rule.min, rule.max);
}

/**
 * The step's segment definition, found by its deterministic name (the lookup pages through every
 * definition) or created. A crash after the create finds it again by name; a 422 "already exists"
 * (another attempt created it meanwhile) is answered by the lookup too.
 */
async function ensureSegment(ctx: StepContext<'audience'>): Promise<string> {
  const saved = idOf(ctx.ids, 'segmentId');
  if (saved !== undefined) return saved;
  const name = externalName('audience', ctx.identity);
  const pql = await pqlOf(ctx);
  const find = async () => ctx.platform.findSegmentDefinitionByName(name);
  let id: string;
  try {
    ({ id } = await findOrCreate({
      step: 'audience_definition',
      crash: ctx.crash,
      find,
      create: () => ctx.platform.createSegmentDefinition({ name, pql, description: `aep-distiller-jobs pipeline ${ctx.pipeline.name}, step ${ctx.step.name}` }),
    }));
  } catch (error) {
    const existing = isDuplicateSegmentName(error) ? await find() : null;
    if (existing === null) throw error;
    id = existing.id;
  }
  await ctx.saveIds({ segmentId: id, segmentName: name, pql });
  return id;
}

async function findOrCreateJob(ctx: StepContext<'audience'>, segmentId: string): Promise<string> {
  const existing = (await ctx.platform.listSegmentJobs({ limit: 100 })).find((job) => job.segments.some((s) => s.segmentId === segmentId));
  if (existing) {
    ctx.log.info({ segmentJobId: existing.id }, 'segment job found in the job list');
    return existing.id;
  }
  ctx.crash('audience', 'before');
  const job = await ctx.platform.createSegmentJob(segmentId);
  ctx.crash('audience', 'after');
  return job.id;
}

export const audienceStep: StepHandler<'audience'> = async (ctx) => {
  try {
    const segmentId = await ensureSegment(ctx);
    let jobId = idOf(ctx.ids, 'segmentJobId');
    if (jobId === undefined) {
      jobId = await findOrCreateJob(ctx, segmentId);
      await ctx.saveIds({ segmentJobId: jobId });
    }
    const job = await ctx.platform.getSegmentJob(jobId);
    switch (job.status) {
      case 'SUCCEEDED': {
        const audienceSize = job.metrics?.segmentedProfileCounter?.[segmentId] ?? 0;
        ctx.log.info({ segmentId, segmentJobId: jobId, audienceSize }, 'audience evaluated');
        return done({ segmentId, segmentJobId: jobId, audienceSize, totalProfiles: job.metrics?.totalProfiles ?? null, pql: idOf(ctx.ids, 'pql') ?? null });
      }
      case 'FAILED':
      case 'CANCELLED': {
        const first = job.errors?.[0];
        return fail('segment_job_failed', `Segment job ${jobId} ended ${job.status}${first?.msg ? `: ${first.msg}` : '.'}`, {
          ...(first?.code === undefined ? {} : { platformCode: first.code }),
          ...(first?.msg === undefined ? {} : { platformMessage: first.msg }),
        });
      }
      default:
        return wait(pollDelayMs(ctx), `the segment job is ${job.status}`);
    }
  } catch (error) {
    return outcomeOfCallError(ctx, error);
  }
};

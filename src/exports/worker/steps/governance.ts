// Step `governance`: read the dataset's usage labels at the Platform before anything is created
// or exported, and refuse what they forbid (the API checked at accept time; labels can change).
import { judgeDatasetLabels } from '../../../datasets/governance.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { advance, fail, type StepContext, type StepHandler } from '../step-context.js';
import { bindingOf } from './binding.js';

async function readFlowAhead(ctx: StepContext): Promise<void> {
  const { flowId, sourceConnectionId } = await bindingOf(ctx);
  if (flowId !== null && sourceConnectionId !== null) ctx.readAhead.start(ctx.platform, flowId, sourceConnectionId);
}

export const governanceStep: StepHandler<'governance'> = async (ctx) => {
  const labelsRead = ctx.platform.getDatasetLabels(ctx.exp.datasetId);
  labelsRead.catch(() => undefined);
  // Meanwhile: an export whose flow already exists has verify_flow's reads started now.
  await readFlowAhead(ctx).catch((error: unknown) => ctx.log.debug({ err: error }, 'reading the flow ahead failed; verify_flow reads it'));
  let labels;
  try {
    labels = await labelsRead;
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'governance');
  }
  const verdict = judgeDatasetLabels(labels, { allowSensitiveLabels: ctx.exp.tenant.allowSensitiveLabels });
  if (!verdict.allowed) {
    ctx.log.warn({ refusedLabels: verdict.refusedLabels }, 'export refused by data governance');
    return fail({ code: 'governance_refused', message: verdict.reason, step: 'governance', labels: verdict.refusedLabels });
  }
  return advance;
};

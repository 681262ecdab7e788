// Step `governance`: read the dataset's usage labels at the Platform before anything is created
// or exported, and refuse what they forbid (the API checked at accept time; labels can change).
import { judgeDatasetLabels } from '../../../datasets/governance.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { fail, next, type StepHandler } from '../step-context.js';

export const governanceStep: StepHandler = async (ctx) => {
  let labels;
  try {
    labels = await ctx.platform.getDatasetLabels(ctx.exp.datasetId);
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'governance');
  }
  const verdict = judgeDatasetLabels(labels, { allowSensitiveLabels: ctx.exp.tenant.allowSensitiveLabels });
  if (!verdict.allowed) {
    ctx.log.warn({ refusedLabels: verdict.refusedLabels }, 'export refused by data governance');
    return fail({ code: 'governance_refused', message: verdict.reason, step: 'governance', labels: verdict.refusedLabels });
  }
  return next('base_connection');
};

// Which handler runs each step kind (a switch over the definition's kind, so a kind without a
// handler does not compile).
import type { StepOutcome } from './pipeline-model.js';
import type { StepContext } from './step-context.js';
import { activateStep } from './steps/activate.js';
import { audienceStep } from './steps/audience.js';
import { exportStep } from './steps/export.js';
import { featurizeStep } from './steps/featurize.js';
import { ingestStep } from './steps/ingest.js';
import { mlStep } from './steps/ml.js';

export function runStepHandler(ctx: StepContext): Promise<StepOutcome> {
  const definition = ctx.definition;
  switch (definition.kind) {
    case 'featurize':
      return featurizeStep({ ...ctx, definition });
    case 'export':
      return exportStep({ ...ctx, definition });
    case 'ml':
      return mlStep({ ...ctx, definition });
    case 'ingest':
      return ingestStep({ ...ctx, definition });
    case 'audience':
      return audienceStep({ ...ctx, definition });
    case 'activate':
      return activateStep({ ...ctx, definition });
  }
}

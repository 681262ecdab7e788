// Which handler runs each step (a Record, so a step without a handler does not compile).
import type { ExportStep } from './export-model.js';
import type { StepHandler } from './step-context.js';
import { baseConnectionStep } from './steps/base-connection.js';
import { flowStep, sourceConnectionStep, targetConnectionStep } from './steps/chain.js';
import { governanceStep } from './steps/governance.js';
import { listFilesStep } from './steps/list-files.js';
import { pollRunStep } from './steps/poll-run.js';
import { triggerRunStep } from './steps/trigger-run.js';
import { verifyFlowStep } from './steps/verify-flow.js';
import { watchRunsStep } from './steps/watch-runs.js';

export const stepHandlers: Record<ExportStep, StepHandler> = {
  pending: governanceStep,
  governance: governanceStep,
  base_connection: baseConnectionStep,
  source_connection: sourceConnectionStep,
  target_connection: targetConnectionStep,
  flow: flowStep,
  verify_flow: verifyFlowStep,
  trigger_run: triggerRunStep,
  poll_run: pollRunStep,
  list_files: listFilesStep,
  watch_runs: watchRunsStep,
  done: governanceStep,
  cancelled: governanceStep,
};

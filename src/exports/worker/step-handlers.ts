// Which handler runs each step of the workflow (a mapped type, so a step without a handler, or a
// handler answering a jump the workflow does not list for its step, does not compile).
import type { StepHandler } from './step-context.js';
import { baseConnectionStep } from './steps/base-connection.js';
import { flowStep, sourceConnectionStep, targetConnectionStep } from './steps/chain.js';
import { governanceStep } from './steps/governance.js';
import { listFilesStep } from './steps/list-files.js';
import { pollRunStep } from './steps/poll-run.js';
import { triggerRunStep } from './steps/trigger-run.js';
import { verifyFlowStep } from './steps/verify-flow.js';
import { watchRunsStep } from './steps/watch-runs.js';
import type { WorkflowStep } from './workflow.js';

export const stepHandlers: { readonly [S in WorkflowStep]: StepHandler<S> } = {
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
};

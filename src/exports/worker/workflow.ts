// The export workflow in one place: the steps of a pass in order, and every jump out of that
// order with the reason for it. A step answers `advance` to go on to the step after it in
// `exportWorkflow`, or `jump(from, to)` to one of the steps `exportJumps` lists for it; a jump not
// listed there does not compile. Steps skip what is already saved, so a pass resumed at any step
// (after a wait, a crash, a redelivery) takes the same path.
//
// On-demand:  governance -> base_connection -> source_connection -> target_connection -> flow
//             -> verify_flow -> trigger_run -> poll_run -> list_files (-> trigger_run per requested run)
// Recurring:  governance -> ... -> verify_flow -> watch_runs (until its schedule is over)

export const exportWorkflow = [
  'governance',
  'base_connection',
  'source_connection',
  'target_connection',
  'flow',
  'verify_flow',
  'trigger_run',
  'poll_run',
  'list_files',
  'watch_runs',
] as const;
export type WorkflowStep = (typeof exportWorkflow)[number];

/** The last step of each lane: a pass ends there (finished, failed, waiting) or jumps; `advance` does not compile. */
export const lastSteps = ['list_files', 'watch_runs'] as const satisfies readonly WorkflowStep[];
export type LastStep = (typeof lastSteps)[number];

/** Every jump out of the order, by step, with why. */
export const exportJumps = {
  target_connection: {
    base_connection: "the destination's base connection is unset (its credentials were replaced): make it again first",
  },
  verify_flow: {
    source_connection: 'the saved source connection is gone or reads another dataset: recreate it',
    flow: 'the Platform no longer has the saved flow: recreate it (found by name first)',
    verify_flow: 'the flow was pointed back at our source connection: check it again',
    watch_runs: 'a recurring export does not trigger runs: it watches the runs its schedule starts',
  },
  trigger_run: {
    flow: 'the binding lost its flow (verify_flow forgot a flow the Platform lost): recreate it',
  },
  poll_run: {
    trigger_run: 'the current run has not started at the Platform yet',
  },
  list_files: {
    trigger_run: 'another run was requested meanwhile: trigger it',
  },
  watch_runs: {
    trigger_run: 'the export is no longer recurring: runs are triggered ad hoc',
    flow: 'the binding lost its flow: recreate it',
    verify_flow: 'the Platform no longer has the flow: verify_flow finds it again by name or recreates it',
  },
} as const satisfies { readonly [S in WorkflowStep]?: { readonly [T in WorkflowStep]?: string } };

/** The steps `from` may jump to. */
export type JumpTarget<S extends WorkflowStep> = S extends keyof typeof exportJumps ? keyof (typeof exportJumps)[S] : never;

/** The step after `step` in the order. */
export function stepAfter(step: WorkflowStep): WorkflowStep {
  const following = (lastSteps as readonly WorkflowStep[]).includes(step) ? undefined : exportWorkflow[exportWorkflow.indexOf(step) + 1];
  if (following === undefined) throw new Error(`export step ${step} is the last of its lane: it finishes, waits or jumps`);
  return following;
}

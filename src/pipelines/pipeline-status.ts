// The pipeline and step state vocabularies shared by the API and the worker (the columns are text).
export const pipelineStatuses = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type PipelineStatus = (typeof pipelineStatuses)[number];

/** Statuses in which the worker still has work to do. */
export const activePipelineStatuses = ['queued', 'running', 'waiting'] as const satisfies readonly PipelineStatus[];

export const stepStates = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelling', 'cancelled'] as const;
export type StepState = (typeof stepStates)[number];

/** A step the worker is (or was, before a crash) working on. */
export const openStepStates = ['running', 'waiting'] as const satisfies readonly StepState[];

export function isActivePipelineStatus(status: string): status is (typeof activePipelineStatuses)[number] {
  return (activePipelineStatuses as readonly string[]).includes(status);
}

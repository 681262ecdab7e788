// The export and run state vocabularies shared by the API and the worker (the columns are text).
// A recurring export, once its flow is set up, is `active` (the flow is enabled and scheduled; the
// worker watches its runs), `paused` (flow disabled by POST /exports/:id/pause), `ended` (past its
// endAt, or its one-time run done), or `failed` / `cancelled` like any export.
export const exportStatuses = [
  'queued',
  'running',
  'waiting_for_platform',
  'active',
  'paused',
  'succeeded',
  'ended',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type ExportStatus = (typeof exportStatuses)[number];

/** Statuses in which the worker still has something to do. */
export const activeExportStatuses = ['queued', 'running', 'waiting_for_platform', 'active'] as const satisfies readonly ExportStatus[];
/** Finished statuses from which another run may be requested. */
export const rerunnableExportStatuses = ['succeeded', 'failed', 'timed_out'] as const satisfies readonly ExportStatus[];

export const exportRunStates = ['requested', 'triggering', 'in_progress', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export type ExportRunState = (typeof exportRunStates)[number];

/** Run states that mean a run is wanted or going on. */
export const activeRunStates = ['requested', 'triggering', 'in_progress'] as const satisfies readonly ExportRunState[];

/** Step of a freshly accepted (or re-run) export; the worker moves it on. */
export const initialExportStep = 'pending';

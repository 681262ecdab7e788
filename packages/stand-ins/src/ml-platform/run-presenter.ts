// A stored run as Databricks' Jobs API shows it (`runs/get`), plus our `output` once it succeeded.
import { LOCAL_JOB_NAME } from './run-callback.js';
import type { LifeCycleState, MlRun, ResultState } from './run-store.js';
import type { RunOutput } from './train-and-score.js';

export interface RunState {
  life_cycle_state: LifeCycleState;
  /** Only once the run is terminal, as in Databricks. */
  result_state?: ResultState;
  state_message: string;
  user_cancelled_or_timedout: boolean;
}

export interface RunView {
  job_id: number;
  run_id: number;
  number_in_job: number;
  original_attempt_run_id: number;
  run_name: string;
  run_type: 'JOB_RUN';
  state: RunState;
  /** Epoch milliseconds. */
  start_time: number;
  /** Epoch milliseconds; 0 while the run has not ended (Databricks' convention). */
  end_time: number;
  setup_duration: number;
  execution_duration: number;
  cleanup_duration: number;
  run_page_url: string;
  /** Local extension: metrics, row counts and the scores file of a successful run. */
  output?: RunOutput;
}

export function presentRun(run: MlRun, baseUrl: string): RunView {
  const ended = run.endTimeMs ?? 0;
  const running = run.runningSinceMs;
  return {
    job_id: run.jobId,
    run_id: run.runId,
    number_in_job: run.runId,
    original_attempt_run_id: run.runId,
    run_name: LOCAL_JOB_NAME,
    run_type: 'JOB_RUN',
    state: {
      life_cycle_state: run.lifeCycleState,
      ...(run.resultState === null ? {} : { result_state: run.resultState }),
      state_message: run.stateMessage,
      user_cancelled_or_timedout: run.userCancelled,
    },
    start_time: run.startTimeMs,
    end_time: ended,
    setup_duration: running === null ? 0 : running - run.startTimeMs,
    execution_duration: running === null || ended === 0 ? 0 : ended - running,
    cleanup_duration: 0,
    run_page_url: `${baseUrl}/#job/${run.jobId}/run/${run.runId}`,
    ...(run.output === null ? {} : { output: run.output }),
  };
}

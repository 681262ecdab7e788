// Runs of a flow: starting an ad hoc export of one dataset (ad-hoc-activation.yaml
// `runAdhocActivation`, `POST /data/core/activation/disflowprovider/adhocrun` with the dataset
// activation Accept header) and monitoring runs through Flow Service (flow-service.yaml
// `retrieveFlowRun`, `listFlowRuns`).
import type { CallOptions, Send } from './call-executor.js';
import { flowServiceEntities, type FlowServiceEntities } from './flow-service-entities.js';
import { parseAdhocRun } from './responses.js';
import { ADHOC_DATASET_ACCEPT } from './spec-ids.js';
import { RunSchema, type AdhocRunStarted, type Run } from './types.js';

export const ADHOC_RUN_PATH = '/data/core/activation/disflowprovider/adhocrun';

export interface ListRunsOptions extends CallOptions {
  /** Page size, 1..100. */
  limit?: number;
  /** Newest first by default (the Platform's own default). */
  oldestFirst?: boolean;
}

export function flowRunMethods(send: Send, entities: FlowServiceEntities = flowServiceEntities(send)) {
  return {
    /**
     * Starts an ad hoc export of one dataset through a flow. Fails with kind `not_ready` during the
     * ~10 minutes after the flow was created or enabled, `conflict` when a run is already going.
     * Not retried after the request may have been applied: on an ambiguous error, list the
     * flow's runs before starting another.
     */
    async startAdhocDatasetRun(flowId: string, datasetId: string, opts?: CallOptions): Promise<AdhocRunStarted> {
      const call = { endpoint: 'adhocRun.create', area: 'destinations' as const, subject: 'ad hoc export run', ambiguous: true };
      const response = await send(
        {
          ...call,
          method: 'POST',
          path: ADHOC_RUN_PATH,
          accept: ADHOC_DATASET_ACCEPT,
          body: { activationInfo: { destinations: [{ flowId, datasets: [{ id: datasetId }] }] } },
          safety: 'create',
        },
        opts,
      );
      return parseAdhocRun(response, flowId, datasetId, call);
    },

    getRun: (runId: string, opts?: CallOptions): Promise<Run> => entities.get('run', runId, RunSchema, opts),

    /** Runs of a flow, newest first unless asked otherwise (first page only: at most `limit`). */
    listFlowRuns: (flowId: string, opts?: ListRunsOptions): Promise<Run[]> =>
      entities.list('run', [`flowId==${flowId}`], RunSchema, {
        ...opts,
        limit: opts?.limit ?? 20,
        orderBy: opts?.oldestFirst ? 'createdAt' : '-createdAt',
        maxPages: 1,
      }),
  };
}

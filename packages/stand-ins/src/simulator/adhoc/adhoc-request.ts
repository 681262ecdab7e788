// The dataset variant of the ad hoc activation call (reference 2.6): its Accept header, body and
// response, and the error messages the Platform answers with.
import { z } from 'zod';

export const ADHOC_RUN_PATH = '/data/core/activation/disflowprovider/adhocrun';
export const ADHOC_DATASET_ACCEPT = 'application/vnd.adobe.adhoc.dataset.activation+json; version=1';

/** Accepts the dataset media type with version=1, ignoring case and spacing around parameters. */
export function acceptsDatasetActivation(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((entry) => {
    const [type, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    return type === 'application/vnd.adobe.adhoc.dataset.activation+json' && params.some((p) => p.replace(/\s+/g, '') === 'version=1');
  });
}

export const adhocDatasetRunRequestSchema = z.object({
  activationInfo: z.object({
    destinations: z
      .array(
        z.object({
          flowId: z.string().min(1),
          datasets: z.array(z.object({ id: z.string().min(1) })).min(1),
        }),
      )
      .min(1),
  }),
});
export type AdhocDatasetRunRequest = z.infer<typeof adhocDatasetRunRequestSchema>;

export interface AdhocDatasetRunResponse {
  destinations: { datasets: { id: string; statusURL: string; flowId: string }[] }[];
}

export const adhocMessages = {
  notReady: 'Invalid parameter: Following order ID(s) are not ready for dataset export, please wait for 10 minutes and retry.',
  badAccept: `Invalid parameter: the dataset ad hoc run requires the header Accept: ${ADHOC_DATASET_ACCEPT}`,
  badBody: (detail: string) => `Invalid parameter: ${detail}`,
  flowNotFound: (flowId: string) => `Flow for id ${flowId} not found`,
  wrongFlowSpec: (flowId: string, specId: string) => `Invalid parameter: Flow for id ${flowId} is incorrect. Error is [Adhoc run can not be executed for Flow spec=${specId}]`,
  flowDisabled: (flowId: string) => `Invalid parameter: Flow for id ${flowId} is incorrect. Error is [Flow is disabled]`,
  datasetsNotInFlow: (datasetIds: string[]) => `Datasets ${datasetIds.join(', ')} are not part of this dataflow or out of schedule range!`,
  badTarget: (flowId: string, detail: string) => `Invalid parameter: Flow for id ${flowId} is incorrect. Error is [${detail}]`,
  runInProgress: (datasetId: string, flowId: string, runId: string) => `Run already going on for dataset ${datasetId} for order ${flowId} with run id ${runId}`,
  // Adobe's CMLE notebooks (notebooks/databricks/Week2Notebook.py, before the ad hoc export): "If
  // you get a message saying a run already exists, it means that either this dataset has been
  // exported already based on the schedule, or that you've already done an adhoc export before."
  // The exact text is not published; this one carries those words.
  alreadyExported: (datasetId: string, flowId: string, runId: string) =>
    `Invalid parameter: A run already exists for dataset ${datasetId} for order ${flowId} (run id ${runId}): the dataset has been exported already and has no new data since.`,
} as const;

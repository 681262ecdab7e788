// Dataset Service (`/data/foundation/dataset`, dataset-service.yaml `retrieveDatasetLabels`): the
// governance labels of a dataset and of its fields.
import type { CallOptions, Send } from './call-executor.js';
import { PlatformError } from './errors.js';
import { parseDatasetLabels } from './responses.js';
import type { DatasetLabels } from './types.js';

const DATASET_SERVICE = '/data/foundation/dataset';

export function datasetServiceMethods(send: Send) {
  return {
    /** Dataset-wide and field labels; null when the dataset has no labels entity (PES-404). */
    async getDatasetLabels(datasetId: string, opts?: CallOptions): Promise<DatasetLabels | null> {
      const call = { endpoint: 'datasetLabels.get', area: 'labels' as const, subject: 'dataset labels' };
      try {
        const response = await send({ ...call, method: 'GET', path: `${DATASET_SERVICE}/datasets/${encodeURIComponent(datasetId)}/labels` }, opts);
        return parseDatasetLabels(response, datasetId, call);
      } catch (error) {
        if (error instanceof PlatformError && error.kind === 'not_found' && error.code === 'PES-404') return null;
        throw error;
      }
    },
  };
}

// A batch on the wire: batch-ingestion.yaml `Batch` (with its id) and, without the id, the value
// of Catalog's `{ "<batchId>": batchResponse }` map.
import type { BatchRecord } from './batch-record.js';

export type BatchBody = Record<string, unknown>;

export function catalogBatch(batch: BatchRecord): BatchBody {
  return {
    imsOrg: batch.orgId,
    status: batch.status,
    created: batch.createdMs,
    updated: batch.updatedMs,
    createdClient: batch.createdClient,
    createdUser: batch.createdUser,
    updatedUser: batch.createdUser,
    externalId: batch.externalId ?? batch.id,
    version: '1.0.0',
    inputFormat: batch.inputFormat,
    relatedObjects: [{ type: 'dataSet', id: batch.datasetId }],
    tags: batch.tags,
    ...(batch.startedMs === null ? {} : { started: batch.startedMs }),
    ...(batch.completedMs === null ? {} : { completed: batch.completedMs }),
    ...(batch.recordCount === null ? {} : { recordCount: batch.recordCount }),
    ...(batch.failedRecordCount === null ? {} : { failedRecordCount: batch.failedRecordCount }),
    ...(batch.inputByteSize === null ? {} : { size: batch.inputByteSize }),
    ...(batch.errors.length === 0 ? {} : { errors: batch.errors }),
    ...(batch.recordCount === null
      ? {}
      : {
          metrics: {
            inputRecordCount: (batch.recordCount ?? 0) + (batch.failedRecordCount ?? 0),
            outputRecordCount: batch.recordCount,
            failedRecordCount: batch.failedRecordCount ?? 0,
            inputFileCount: batch.inputFileCount ?? 0,
            inputByteSize: batch.inputByteSize ?? 0,
          },
        }),
  };
}

export function importBatch(batch: BatchRecord): BatchBody {
  return { id: batch.id, ...catalogBatch(batch) };
}

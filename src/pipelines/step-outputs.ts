// What each step kind produces and which inputs take another step's output: the vocabulary the
// definition check uses to refuse unknown outputs and values of the wrong kind before a pipeline
// starts, and the worker uses to resolve references.
import type { StepKind } from './pipeline-definition.js';

/** The kind of value an output is; an input accepts one kind. */
export type OutputKind = 'dataset' | 'storageFolder' | 'storageFile' | 'segment' | 'number' | 'text';

export const stepOutputKinds: Record<StepKind, Record<string, OutputKind>> = {
  featurize: { datasetId: 'dataset', tableName: 'text', queryId: 'text', rowCount: 'number' },
  export: { datasetId: 'dataset', landed: 'storageFolder', landedUri: 'text', exportId: 'text', files: 'number', records: 'number' },
  ml: { scores: 'storageFile', scoresUri: 'text', mlRunId: 'text', scoredRows: 'number', auc: 'number', aucTrain: 'number' },
  ingest: { datasetId: 'dataset', schemaId: 'text', batchId: 'text', records: 'number' },
  audience: { segmentId: 'segment', segmentJobId: 'text', audienceSize: 'number', totalProfiles: 'number' },
  activate: { flowId: 'text', platformRunId: 'text', files: 'number', records: 'number' },
};

/** Inputs that may be references, per step kind, with the output kind each accepts. */
export const referenceInputs: Record<StepKind, Record<string, OutputKind>> = {
  featurize: {},
  export: { datasetId: 'dataset' },
  ml: { training: 'storageFolder' },
  ingest: { scores: 'storageFile' },
  audience: {},
  activate: { segmentId: 'segment' },
};

const kindWords: Record<OutputKind, string> = {
  dataset: 'a dataset id',
  storageFolder: 'a storage folder',
  storageFile: 'a storage file',
  segment: 'a segment id',
  number: 'a number',
  text: 'an id',
};

export function describeOutputKind(kind: OutputKind): string {
  return kindWords[kind];
}

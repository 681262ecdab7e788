// Which destinations a pipeline definition names, with the JSON pointer (under the steps array)
// of each: an export or activate step's `destinationId`, and the `destinationId` of every literal
// `{destinationId, path}` storage location. And which destinations an ML job would be handed
// access to: its training folder (literal, or the export step it refers to) and its scores folder.
import { isStepRef, type PipelineStepDefinition } from './pipeline-definition.js';

export interface NamedDestination {
  destinationId: string;
  pointer: string;
}

export function destinationsNamed(steps: readonly PipelineStepDefinition[]): NamedDestination[] {
  const named: NamedDestination[] = [];
  steps.forEach((step, index) => {
    switch (step.kind) {
      case 'export':
      case 'activate':
        named.push({ destinationId: step.destinationId, pointer: `${index}/destinationId` });
        return;
      case 'ml':
        if (!isStepRef(step.training)) named.push({ destinationId: step.training.destinationId, pointer: `${index}/training/destinationId` });
        if (step.scores !== undefined) named.push({ destinationId: step.scores.destinationId, pointer: `${index}/scores/destinationId` });
        return;
      case 'ingest':
        if (!isStepRef(step.scores)) named.push({ destinationId: step.scores.destinationId, pointer: `${index}/scores/destinationId` });
        return;
      case 'featurize':
      case 'audience':
        return;
    }
  });
  return named;
}

export function mlStorageDestinations(steps: readonly PipelineStepDefinition[]): NamedDestination[] {
  const handed: NamedDestination[] = [];
  steps.forEach((step, index) => {
    if (step.kind !== 'ml') return;
    let training: string | undefined;
    if (isStepRef(step.training)) {
      const source = steps.find((s) => s.name === (step.training as { fromStep: string }).fromStep);
      if (source?.kind === 'export') training = source.destinationId;
    } else {
      training = step.training.destinationId;
    }
    if (training !== undefined) handed.push({ destinationId: training, pointer: `${index}/training` });
    if (step.scores !== undefined) handed.push({ destinationId: step.scores.destinationId, pointer: `${index}/scores/destinationId` });
  });
  return handed;
}

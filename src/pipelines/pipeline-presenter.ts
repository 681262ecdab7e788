// A pipeline row as callers see it. JSON columns written by the worker (outputs, ids, errors) are
// read leniently: a field the worker adds later must never break a GET.
import { z } from 'zod';
import type { Pipeline, PipelineStep } from '../generated/prisma/client.js';
import { stepKinds, type StepKind } from './pipeline-definition.js';
import type { PipelineStepView, PipelineSummary, PipelineView } from './pipeline-schemas.js';
import { isActivePipelineStatus, openStepStates, pipelineStatuses, stepStates, type PipelineStatus, type StepState } from './pipeline-status.js';
import { presentLastError } from '../last-error.js';
import { isoOrNull as iso, presentStoredError } from '../stored-error.js';
import { oneOf } from '../vocabulary.js';

const RecordSchema = z.record(z.string(), z.unknown());
const DefinitionSchema = z.object({ steps: z.array(RecordSchema) });


function presentError(value: unknown): PipelineSummary['error'] {
  return presentStoredError(value, 'The pipeline failed.');
}

function recordOf(value: unknown): Record<string, unknown> {
  const parsed = RecordSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

const known = oneOf;

/** A step's lastError, shown while the step is still being worked on. */
function stepLastError(step: PipelineStep): PipelineStepView['lastError'] {
  return presentLastError(step.lastError, (openStepStates as readonly string[]).includes(step.state));
}

export function presentStep(step: PipelineStep): PipelineStepView {
  return {
    index: step.index,
    name: step.name,
    kind: known<StepKind>(stepKinds, step.kind, 'step kind'),
    state: known<StepState>(stepStates, step.state, 'step state'),
    outputs: recordOf(step.outputs),
    externalIds: recordOf(step.externalIds),
    generation: step.generation,
    attempts: step.attempts,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    durationMs: step.startedAt && step.finishedAt ? step.finishedAt.getTime() - step.startedAt.getTime() : null,
    lastCallbackAt: iso(step.lastCallbackAt),
    error: presentError(step.error),
    lastError: stepLastError(step),
  };
}

export function presentPipelineSummary(row: Pipeline & { steps: PipelineStep[] }): PipelineSummary {
  const current = row.steps.find((s) => s.index === row.currentStep);
  return {
    id: row.id,
    name: row.name,
    status: known<PipelineStatus>(pipelineStatuses, row.status, 'pipeline status'),
    currentStep: current?.name ?? null,
    templateId: row.templateId,
    scheduleId: row.scheduleId,
    parameters: row.parameters === null ? null : recordOf(row.parameters),
    callbackUrl: row.callbackUrl,
    mlPlatformUrl: row.mlPlatformUrl,
    error: presentError(row.error),
    lastError: current !== undefined && isActivePipelineStatus(row.status) ? stepLastError(current) : null,
    attempts: row.attempts,
    nextCheckAt: row.nextCheckAt.toISOString(),
    deadlineAt: iso(row.deadlineAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
  };
}

export function presentPipeline(row: Pipeline & { steps: PipelineStep[] }): PipelineView {
  const definition = DefinitionSchema.safeParse(row.definition);
  return {
    ...presentPipelineSummary(row),
    steps: row.steps.map(presentStep),
    definition: definition.success ? definition.data : { steps: [] },
  };
}

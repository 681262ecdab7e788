// What a pipeline schedule starts at each instant: its pipeline's definition again (with that
// pipeline's callback and ML platform, as a rerun), or its template with the schedule's parameters
// substituted. Resolved and validated in full when the schedule is created or changed (400/404
// naming the field) and again at each instant, since a template or destination can go meanwhile.
import type { DbOrTx } from '../../db/client.js';
import { findDestination } from '../../destinations/destination-store.js';
import { AppError } from '../../errors.js';
import { validateDefinition } from '../definition-validation.js';
import { destinationsNamed } from '../destination-references.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { findPipeline, type PipelineWithSteps } from '../pipeline-store.js';
import { resolveParameters, substitute, type ParameterValue } from '../template-parameters.js';
import { presentTemplate } from '../template-service.js';
import { findTemplate } from '../template-store.js';

export interface ScheduleSourceRow {
  tenantId: string;
  sourceKind: string;
  sourcePipelineId: string | null;
  templateId: string | null;
  parameters: unknown;
}

export interface ScheduledDefinition {
  name: string;
  definition: PipelineDefinition;
  /** The pipeline whose callback and ML platform each run keeps (pipeline source). */
  pipeline: PipelineWithSteps | null;
  templateId: string | null;
  parameters: Record<string, ParameterValue> | null;
  destinationIds: string[];
}

const missing = (what: string, id: string, pointer: string) =>
  new AppError('not_found', `${what} ${id} does not exist.`, { errors: [{ location: 'body', pointer, message: `is not one of your ${what.toLowerCase()}s` }] });

export async function resolveScheduledDefinition(db: DbOrTx, source: ScheduleSourceRow): Promise<ScheduledDefinition> {
  let resolved: Omit<ScheduledDefinition, 'destinationIds'>;
  if (source.sourceKind === 'pipeline' && source.sourcePipelineId !== null) {
    const pipeline = await findPipeline(db, source.tenantId, source.sourcePipelineId);
    if (!pipeline) throw missing('Pipeline', source.sourcePipelineId, '/pipelineId');
    const definition = validateDefinition((pipeline.definition as { steps?: unknown }).steps, '/pipelineId', `Pipeline ${pipeline.id}'s definition is no longer valid`);
    resolved = { name: pipeline.name, definition, pipeline, templateId: pipeline.templateId, parameters: (pipeline.parameters as Record<string, ParameterValue> | null) ?? null };
  } else if (source.sourceKind === 'template' && source.templateId !== null) {
    const row = await findTemplate(db, source.tenantId, source.templateId);
    if (!row) throw missing('Pipeline template', source.templateId, '/templateId');
    const template = presentTemplate(row);
    const values = resolveParameters(template.parameters, (source.parameters as Record<string, ParameterValue> | null) ?? {});
    const definition = validateDefinition(substitute(template.steps, values), '/template/steps');
    resolved = { name: template.name, definition, pipeline: null, templateId: template.id, parameters: values };
  } else {
    throw new Error(`pipeline schedule source ${source.sourceKind} without its id`);
  }
  const destinationIds = new Set<string>();
  for (const named of destinationsNamed(resolved.definition.steps)) {
    if (!(await findDestination(db, source.tenantId, named.destinationId))) {
      throw new AppError('not_found', `Destination ${named.destinationId} does not exist.`, {
        errors: [{ location: 'body', pointer: `/steps/${named.pointer}`, message: 'is not one of your destinations' }],
      });
    }
    destinationIds.add(named.destinationId);
  }
  return { ...resolved, destinationIds: [...destinationIds] };
}

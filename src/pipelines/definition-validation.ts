// Checks a pipeline definition before anything starts: the step schemas (zod), unique step
// names, and every `{fromStep, output}` reference: the step exists, comes earlier, has that output,
// and the output is the kind the input takes. Problems are a 400 naming each field by pointer.
import { AppError, type FieldError } from '../errors.js';
import { isStepRef, PipelineStepsSchema, type PipelineDefinition, type PipelineStepDefinition } from './pipeline-definition.js';
import { describeOutputKind, referenceInputs, stepOutputKinds } from './step-outputs.js';

function pointerOf(path: readonly PropertyKey[]): string {
  return '/' + path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

/** Reference problems of parsed steps (empty when all resolve). `base` prefixes every pointer. */
export function referenceProblems(steps: readonly PipelineStepDefinition[], base: string): FieldError[] {
  const problems: FieldError[] = [];
  const indexByName = new Map<string, number>();
  steps.forEach((step, index) => {
    if (indexByName.has(step.name)) {
      problems.push({ location: 'body', pointer: `${base}/${index}/name`, message: `step name "${step.name}" is used twice` });
    } else {
      indexByName.set(step.name, index);
    }
  });
  steps.forEach((step, index) => {
    const inputs = referenceInputs[step.kind];
    for (const [field, value] of Object.entries(step)) {
      if (!isStepRef(value)) continue;
      const pointer = `${base}/${index}/${field}`;
      const expected = inputs[field];
      const from = indexByName.get(value.fromStep);
      if (expected === undefined) {
        problems.push({ location: 'body', pointer, message: 'does not take a reference' });
      } else if (from === undefined) {
        problems.push({ location: 'body', pointer: `${pointer}/fromStep`, message: `no step is named "${value.fromStep}"` });
      } else if (from >= index) {
        problems.push({ location: 'body', pointer: `${pointer}/fromStep`, message: `step "${value.fromStep}" does not come before step "${step.name}"` });
      } else {
        const source = steps[from] as PipelineStepDefinition;
        const outputs = stepOutputKinds[source.kind];
        const kind = outputs[value.output];
        if (kind === undefined) {
          problems.push({
            location: 'body',
            pointer: `${pointer}/output`,
            message: `a ${source.kind} step has no output "${value.output}" (it has ${Object.keys(outputs).join(', ')})`,
          });
        } else if (kind !== expected) {
          problems.push({
            location: 'body',
            pointer: `${pointer}/output`,
            message: `output "${value.output}" of ${source.kind} step "${source.name}" is ${describeOutputKind(kind)}, but ${field} takes ${describeOutputKind(expected)}`,
          });
        }
      }
    }
  });
  return problems;
}

/** Parses and checks `steps`; throws a 400 AppError naming every problem. `base` is the pointer of the steps array. */
export function validateDefinition(rawSteps: unknown, base = '/steps', context = 'The pipeline definition is invalid'): PipelineDefinition {
  const parsed = PipelineStepsSchema.safeParse(rawSteps);
  if (!parsed.success) {
    const errors: FieldError[] = parsed.error.issues.map((issue) => ({
      location: 'body',
      pointer: `${base}${issue.path.length ? pointerOf(issue.path) : ''}`,
      message: issue.message,
    }));
    throw invalid(context, errors);
  }
  const problems = referenceProblems(parsed.data, base);
  if (problems.length > 0) throw invalid(context, problems);
  return { steps: parsed.data };
}

function invalid(context: string, errors: FieldError[]): AppError {
  const detail = `${context}: ${errors.map((e) => `${e.pointer}: ${e.message}`).join('; ')}`;
  return new AppError('validation_error', detail, { errors });
}

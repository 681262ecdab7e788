// Template parameters: a template's definition may hold `{{name}}` placeholders in any string
// value. A string that is exactly one placeholder becomes the parameter's typed value (a number
// stays a number); placeholders inside longer strings are replaced by the value's text. Values are
// checked against the template's parameter schema (type, default) before substitution.
import { z } from 'zod';
import { AppError, type FieldError } from '../errors.js';

export const ParameterNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be an identifier of at most 40 characters');
export type ParameterValue = string | number | boolean;

export const ParameterSpecSchema = z
  .object({
    type: z.enum(['string', 'number', 'integer', 'boolean']),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    description: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'PipelineTemplateParameter' });
export type ParameterSpec = z.infer<typeof ParameterSpecSchema>;

export const ParameterSchemaSchema = z.record(ParameterNameSchema, ParameterSpecSchema).meta({ id: 'PipelineTemplateParameters' });
export type ParameterSchema = z.infer<typeof ParameterSchemaSchema>;

export const ParameterValuesSchema = z.record(ParameterNameSchema, z.union([z.string().max(10_000), z.number(), z.boolean()]));

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/** Every placeholder name used in string values (keys are never substituted). */
export function placeholdersIn(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(PLACEHOLDER)) if (match[1] !== undefined) found.add(match[1]);
  } else if (Array.isArray(value)) {
    for (const item of value) placeholdersIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) placeholdersIn(item, found);
  }
  return found;
}

export function substitute(value: unknown, values: Readonly<Record<string, ParameterValue>>): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole?.[1] !== undefined && whole[1] in values) return values[whole[1]];
    return value.replace(PLACEHOLDER, (text, name: string) => (name in values ? String(values[name]) : text));
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  }
  return value;
}

function typeProblem(spec: ParameterSpec, value: ParameterValue): string | null {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? null : 'must be a string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? null : 'must be an integer';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
  }
}

/** Placeholders the schema does not declare (a template with them is refused). */
export function undeclaredPlaceholders(definition: unknown, schema: ParameterSchema): string[] {
  return [...placeholdersIn(definition)].filter((name) => !(name in schema)).sort();
}

/** The values to substitute: given ones checked by type, defaults for the rest; 400 naming each problem. */
export function resolveParameters(schema: ParameterSchema, given: Readonly<Record<string, ParameterValue>>): Record<string, ParameterValue> {
  const errors: FieldError[] = [];
  const values: Record<string, ParameterValue> = {};
  for (const name of Object.keys(given)) {
    if (!(name in schema)) errors.push({ location: 'body', pointer: `/parameters/${name}`, message: 'is not a parameter of this template' });
  }
  for (const [name, spec] of Object.entries(schema)) {
    const value = given[name] ?? spec.default;
    if (value === undefined) {
      errors.push({ location: 'body', pointer: `/parameters/${name}`, message: 'is required (the template gives no default)' });
      continue;
    }
    const problem = typeProblem(spec, value);
    if (problem) errors.push({ location: 'body', pointer: `/parameters/${name}`, message: problem });
    else values[name] = value;
  }
  if (errors.length > 0) {
    throw new AppError('validation_error', `The template parameters are invalid: ${errors.map((e) => `${e.pointer}: ${e.message}`).join('; ')}`, { errors });
  }
  return values;
}

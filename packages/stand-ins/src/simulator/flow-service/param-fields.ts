// A tiny description of spec parameters (auth params, target params) that serves both as the JSON
// Schema published in connection specs and as the validator of incoming params, so the two
// cannot drift apart.

export interface ParamField {
  name: string;
  description: string;
  type: 'string' | 'integer';
  required: boolean;
  pattern?: RegExp;
  /** Allowed values, matched case-insensitively (the Platform accepts `gzip` for `GZIP`). */
  enum?: readonly string[];
  /** Secrets are marked `format: password`, as the Platform's specs do. */
  secret?: boolean;
}

export type JsonSchemaObject = Record<string, unknown>;

export function fieldsToJsonSchema(fields: readonly ParamField[], description: string): JsonSchemaObject {
  const properties: Record<string, JsonSchemaObject> = {};
  for (const field of fields) {
    properties[field.name] = {
      type: field.type,
      description: field.description,
      ...(field.pattern === undefined ? {} : { pattern: field.pattern.source }),
      ...(field.enum === undefined ? {} : { enum: [...field.enum] }),
      ...(field.secret === true ? { format: 'password' } : {}),
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    description,
    properties,
    required: fields.filter((f) => f.required).map((f) => f.name),
  };
}

export interface CheckedParams {
  /** Params with enum values normalised to their canonical spelling; unknown keys kept. */
  params: Record<string, unknown>;
  errors: string[];
}

/** Validates params against fields: presence, type, pattern, enum (case-insensitive). */
export function checkParams(fields: readonly ParamField[], value: unknown, where: string): CheckedParams {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { params: {}, errors: [`${where} must be an object`] };
  }
  const params: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const errors: string[] = [];
  for (const field of fields) {
    const v = params[field.name];
    if (v === undefined || v === null || v === '') {
      if (field.required) errors.push(`${where}.${field.name} is required`);
      continue;
    }
    if (field.type === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v)) errors.push(`${where}.${field.name} must be an integer`);
      continue;
    }
    if (typeof v !== 'string') {
      errors.push(`${where}.${field.name} must be a string`);
      continue;
    }
    if (field.enum !== undefined) {
      const canonical = field.enum.find((option) => option.toLowerCase() === v.toLowerCase());
      if (canonical === undefined) errors.push(`${where}.${field.name} must be one of ${field.enum.join(', ')} (got ${v})`);
      else params[field.name] = canonical;
      continue;
    }
    if (field.pattern !== undefined && !field.pattern.test(v)) {
      errors.push(`${where}.${field.name} does not match ${field.pattern.source}`);
    }
  }
  return { params, errors };
}

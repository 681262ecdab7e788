// Pipeline templates: save a definition with `{{param}}` placeholders and a parameter schema,
// list them, and start a pipeline from one with parameters (substituted, then the whole
// definition is validated like POST /pipelines).
import { AppError, notFound } from '../errors.js';
import type { Db } from '../db/client.js';
import type { Prisma } from '../generated/prisma/client.js';
import { pageOf, type Keyset } from '../pagination.js';
import { referenceProblems, validateDefinition } from './definition-validation.js';
import { PipelineStepsSchema } from './pipeline-definition.js';
import type { IdempotencyRequest } from '../security/idempotency-store.js';
import type { IdempotentAnswer } from '../security/idempotent-answers.js';
import type { CreateTemplateBody, ListTemplatesQuery, StartTemplateBody, TemplateView } from './pipeline-schemas.js';
import type { PipelineService } from './pipeline-service.js';
import { ParameterSchemaSchema, resolveParameters, substitute, undeclaredPlaceholders, type ParameterSchema, type ParameterValue } from './template-parameters.js';
import { findTemplate, insertTemplate, listTemplates } from './template-store.js';
import { z } from 'zod';

type TemplateRow = NonNullable<Awaited<ReturnType<typeof findTemplate>>>;

const StoredStepsSchema = z.object({ steps: z.array(z.record(z.string(), z.unknown())) });

export function presentTemplate(row: TemplateRow): TemplateView {
  const definition = StoredStepsSchema.safeParse(row.definition);
  const parameters = ParameterSchemaSchema.safeParse(row.parameterSchema);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    steps: definition.success ? definition.data.steps : [],
    parameters: parameters.success ? parameters.data : {},
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Defaults for every parameter, when all have one: then the template can be checked in full now. */
function defaultsOf(schema: ParameterSchema): Record<string, ParameterValue> | null {
  const values: Record<string, ParameterValue> = {};
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.default === undefined) return null;
    values[name] = spec.default;
  }
  return values;
}

export function createTemplateService(deps: { db: Db; pipelines: PipelineService }) {
  const { db } = deps;

  async function load(tenantId: string, id: string): Promise<TemplateRow> {
    const row = await findTemplate(db, tenantId, id);
    if (!row) throw notFound('Pipeline template', id);
    return row;
  }

  return {
    async create(tenantId: string, body: CreateTemplateBody): Promise<TemplateView> {
      const undeclared = undeclaredPlaceholders(body.steps, body.parameters);
      if (undeclared.length > 0) {
        throw new AppError('validation_error', `The steps use placeholders that are not declared parameters: ${undeclared.join(', ')}.`, {
          errors: undeclared.map((name) => ({ location: 'body' as const, pointer: `/parameters/${name}`, message: 'is used as {{' + name + '}} but not declared' })),
        });
      }
      const defaults = defaultsOf(body.parameters);
      if (defaults !== null) {
        validateDefinition(substitute(body.steps, defaults), '/steps', 'The template (with its default parameters) is not a valid pipeline');
      } else {
        // Values are unknown until start; references can be checked now where the steps parse.
        const parsed = PipelineStepsSchema.safeParse(substitute(body.steps, {}));
        if (parsed.success) {
          const problems = referenceProblems(parsed.data, '/steps');
          if (problems.length > 0) throw new AppError('validation_error', `The template's references are invalid: ${problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}`, { errors: problems });
        }
      }
      const row = await insertTemplate(db, {
        tenantId,
        name: body.name,
        description: body.description ?? null,
        definition: { steps: body.steps } as Prisma.InputJsonObject,
        parameterSchema: body.parameters,
      });
      if (!row) throw new AppError('conflict', `A pipeline template named "${body.name}" already exists.`);
      return presentTemplate(row);
    },

    async get(tenantId: string, id: string): Promise<TemplateView> {
      return presentTemplate(await load(tenantId, id));
    },

    async list(tenantId: string, query: ListTemplatesQuery) {
      const rows = await listTemplates(db, tenantId, { limit: query.limit, ...(query.cursor ? { after: query.cursor satisfies Keyset } : {}) });
      const { items, nextCursor } = pageOf(rows, query.limit);
      return { items: items.map(presentTemplate), nextCursor };
    },

    /** Substitutes the parameters and starts a pipeline (validated in full, 400 naming fields). */
    async start(tenantId: string, id: string, body: StartTemplateBody, idempotency?: IdempotencyRequest): Promise<IdempotentAnswer> {
      const template = presentTemplate(await load(tenantId, id));
      const values = resolveParameters(template.parameters, body.parameters);
      return deps.pipelines.start(tenantId, {
        name: body.name ?? template.name,
        steps: substitute(template.steps, values),
        templateId: template.id,
        parameters: values,
        stepsPointer: '/template/steps',
        ...(body.callbackUrl ? { callbackUrl: body.callbackUrl } : {}),
        ...(body.mlPlatform ? { mlPlatform: body.mlPlatform } : {}),
      }, idempotency);
    },
  };
}

export type TemplateService = ReturnType<typeof createTemplateService>;

// The problem+json body every error response carries (rendered by plugins/problem-details.ts), as
// a zod schema for the route definitions, so the OpenAPI document lists each route's errors.
import { z } from 'zod';

export const FieldErrorSchema = z.object({
  location: z.enum(['body', 'query', 'params', 'headers']),
  pointer: z.string().describe('JSON Pointer to the field, e.g. /compression'),
  message: z.string(),
});

export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string().describe('Stable machine-readable code, e.g. validation_error, governance_refused'),
    requestId: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; extra members depend on the code.' });

type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503;

const problemResponse = {
  description: 'Problem details (application/problem+json)',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

/** Response entries for the given error statuses (401 is added: every route needs a key). */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]): Record<S | 401, typeof problemResponse> {
  const out = {} as Record<S | 401, typeof problemResponse>;
  for (const status of [401 as const, ...statuses]) out[status] = problemResponse;
  return out;
}

// Renders every error as RFC 9457 problem+json, in one place: AppErrors as they are, Fastify and
// zod validation errors as 400 with the offending fields, framework errors by their status, and
// anything unexpected as a 500 that reveals nothing internal.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, problemType, type FieldError, type ProblemCode } from '../../errors.js';

const locationByContext: Record<string, FieldError['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** Maps framework errors (by Fastify code) onto our vocabulary. */
const frameworkCodes: Record<string, ProblemCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_error',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_error',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_error',
  FST_ERR_VALIDATION: 'validation_error',
};

/** Prisma/pg failures that mean "the database is unreachable or overloaded right now". */
const unavailableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300']);
const unavailableMessage = /ECONNREFUSED|ECONNRESET|terminating connection|Connection terminated|connection timeout|Timed out fetching|Unable to start a transaction|Can't reach database/i;

function isDatabaseUnavailable(error: FastifyError): boolean {
  const code = (error as { code?: unknown }).code;
  const fromDb = error.name.startsWith('PrismaClient') || error.name === 'DriverAdapterError' || typeof code === 'string';
  return fromDb && ((typeof code === 'string' && unavailableCodes.has(code)) || unavailableMessage.test(error.message));
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  // A database restart or an exhausted pool is temporary: tell the caller to retry, not a 500.
  if (isDatabaseUnavailable(error)) {
    return new AppError('service_unavailable', 'The database is briefly unavailable; retry shortly.', { headers: { 'retry-after': '1' } });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const location = locationByContext[error.validationContext ?? 'body'] ?? 'body';
    const errors: FieldError[] = error.validation.flatMap((v) => {
      const base = v.instancePath === '/' ? '' : v.instancePath;
      // An unknown field is reported on the object; point at each unknown key instead.
      const keys = (v.params as { keys?: unknown }).keys;
      if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
        return keys.map((key) => ({ location, pointer: `${base}/${String(key)}`, message: 'is not a known field' }));
      }
      return [{ location, pointer: v.instancePath || '/', message: v.message ?? 'is invalid' }];
    });
    const detail = errors.map((e) => `${e.location}${e.pointer === '/' ? '' : e.pointer}: ${e.message}`).join('; ');
    return new AppError('validation_error', detail, { errors });
  }
  if (error.validation) {
    const location = locationByContext[error.validationContext ?? 'body'] ?? 'body';
    const errors = error.validation.map((v) => ({ location, pointer: v.instancePath || '/', message: v.message ?? 'is invalid' }));
    return new AppError('validation_error', error.message, { errors });
  }
  const mapped = error.code ? frameworkCodes[error.code] : undefined;
  if (mapped === 'unsupported_media_type') {
    const given = String(request.headers['content-type'] ?? '').split(';')[0]?.trim().slice(0, 100) || 'no content type';
    return new AppError(mapped, `Send the body as JSON with Content-Type: application/json (got ${given}).`);
  }
  if (mapped) {
    // JSON syntax errors name no field: the body as a whole is the problem.
    const errors: FieldError[] = mapped === 'validation_error' ? [{ location: 'body', pointer: '/', message: error.message }] : [];
    return new AppError(mapped, error.message, errors.length ? { errors } : {});
  }
  if (error.statusCode === 429) return new AppError('rate_limited', 'Too many requests; retry later.');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode === 404 ? 'not_found' : 'validation_error', error.message);
  }
  return new AppError('internal', 'An unexpected error occurred. It has been logged with the request id.');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const { headers, ...members } = error.extras;
  if (headers) void reply.headers(headers);
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send({
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.detail,
      instance: request.url.split('?')[0],
      code: error.code,
      requestId: request.id,
      ...members,
    });
}

/**
 * Errors the router raises before a route is found (a path segment that is not valid URL encoding,
 * or a path parameter over the length limit), as problem+json 400s (Fastify's `frameworkErrors`).
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long.' : 'The URL path is not valid percent-encoding.';
  const problem =
    error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AppError('validation_error', detail, { errors: [{ location: 'params', pointer: '/', message: detail }] })
      : new AppError('internal', 'An unexpected error occurred. It has been logged with the request id.');
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  void sendProblem(request, reply, problem);
}

export default fp(
  async function problemDetails(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toAppError(error, request);
      if (problem.status >= 500 || isResponseSerializationError(error)) {
        request.log.error({ err: error }, 'request failed');
      } else {
        request.log.info({ code: problem.code, status: problem.status }, problem.detail);
      }
      return sendProblem(request, reply, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, new AppError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    );
  },
  { name: 'problem-details' },
);

// Renders every error as RFC 9457 problem+json, in one place: AppErrors as they are, Fastify and
// zod validation errors as 400 with the offending fields, framework errors by their status, and
// anything unexpected as a 500 that reveals nothing internal.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../../db/unavailable.js';
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

/** The problem+json body of an error (RFC 9457 members plus our code and the request id). */
function problemBody(error: AppError, requestId: string, instance?: string): Record<string, unknown> {
  const { headers: _headers, ...members } = error.extras;
  return {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(instance === undefined ? {} : { instance }),
    code: error.code,
    requestId,
    ...members,
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  if (error.extras.headers) void reply.headers(error.extras.headers);
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send(problemBody(error, request.id, request.url.split('?')[0]));
}

/**
 * Node's client-error path (Fastify's `clientErrorHandler`): the HTTP parser or a server timeout
 * gave up on a connection before there was a request to answer (headers over the size limit, a
 * request line too long, malformed HTTP, headers or body not received within the timeouts). The
 * answer is written on the raw socket, as problem+json like every other error, then the socket is
 * closed. https://nodejs.org/api/http.html#event-clienterror
 */
export function clientErrorHandler(log: FastifyBaseLogger) {
  return (error: Error & { code?: string; rawPacket?: unknown; bytesParsed?: number }, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = clientProblem(error);
    const requestId = randomUUID();
    log.info({ requestId, code: problem.code, status: problem.status, parserCode: error.code }, `client error: ${problem.detail}`);
    if (socket.writable) {
      const body = JSON.stringify(problemBody(problem, requestId));
      socket.write(
        `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
          'Content-Type: application/problem+json\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
  };
}

function clientProblem(error: Error & { code?: string; rawPacket?: unknown; bytesParsed?: number }): AppError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('request_timeout', 'The request headers or body did not arrive in time; the connection is closed.');
    case 'HPE_HEADER_OVERFLOW': {
      // Node's limit counts the request line too: when the data that overflowed starts a request
      // and holds no complete first line, the URL alone is too long. (When the overflow is seen in
      // a later chunk, nothing tells the two apart, and 431 is the answer.)
      const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : Buffer.alloc(0);
      const lineEnd = packet.indexOf('\r\n');
      const urlAlone = /^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1')) && (lineEnd < 0 || lineEnd >= (error.bytesParsed ?? Infinity));
      return urlAlone
        ? new AppError('uri_too_long', `The request URL is too long (at most ${maxUrlLength} characters).`)
        : new AppError('headers_too_large', 'The request headers are too large.');
    }
    case undefined:
    default:
      return new AppError('validation_error', 'The request is not valid HTTP.');
  }
}

/** Longest URL (path and query) the API reads; longer ones are a 414. */
export const maxUrlLength = 8192;

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
    // A URL under Node's header limit but over ours: 414, before any other work.
    app.addHook('onRequest', async (request) => {
      if (request.url.length > maxUrlLength) throw new AppError('uri_too_long', `The request URL is too long (at most ${maxUrlLength} characters).`);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, new AppError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    );
  },
  { name: 'problem-details' },
);

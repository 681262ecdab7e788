// Builders for the error bodies the Platform returns, so every route answers in the shape the
// real layer would: the API gateway, Flow Service (RFC-7807-like with legacy fields), the
// content-type check, and the plain `{"message"}` some validations use.
import type { FastifyReply } from 'fastify';

/** Gateway/IMS layer, e.g. {"error_code":"401013","message":"Oauth token is not valid"}. */
export interface GatewayErrorBody {
  error_code: string;
  message: string;
}

export function gatewayError(code: string, message: string): GatewayErrorBody {
  return { error_code: code, message };
}

export interface FlowErrorBody {
  type: string;
  title: string;
  status: number;
  report: { 'detailed-message': string; id?: string; 'request-id'?: string; type?: string };
  errorMessage: string;
  errorDetails: string;
}

const FLOW_TITLES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Resource not found',
  409: 'Conflict',
  412: 'Precondition Failed',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface FlowErrorOptions {
  /** Four-digit Flow Service error number, rendered into the type URI as FLOW-<code>-<status>. */
  code: string;
  status: number;
  message: string;
  details?: string;
  /** Entity kind in the report, e.g. "flows". */
  entityType?: string;
  entityId?: string;
  requestId?: string;
  title?: string;
}

/** Flow Service error, e.g. type https://ns.adobe.com/aep/errors/FLOW-1439-404. */
export function flowError(o: FlowErrorOptions): FlowErrorBody {
  return {
    type: `https://ns.adobe.com/aep/errors/FLOW-${o.code}-${o.status}`,
    title: o.title ?? FLOW_TITLES[o.status] ?? 'Error',
    status: o.status,
    report: {
      'detailed-message': o.details ?? o.message,
      ...(o.entityId === undefined ? {} : { id: o.entityId }),
      ...(o.requestId === undefined ? {} : { 'request-id': o.requestId }),
      ...(o.entityType === undefined ? {} : { type: o.entityType }),
    },
    errorMessage: o.message,
    errorDetails: o.details ?? o.message,
  };
}

/** Error bodies that carry only `errorMessage`/`errorDetails` (the spec's 404/412 examples). */
export interface LegacyFlowErrorBody {
  errorMessage: string;
  errorDetails: string;
}

export interface MessageErrorBody {
  message: string;
}

export function messageError(message: string): MessageErrorBody {
  return { message };
}

/** The gateway's answer to a body without a JSON content type. */
export interface ContentTypeErrorBody {
  type: '/placeholder/type/uri';
  status: 400;
  title: 'BadRequestError';
  detail: string;
}

export function contentTypeError(): ContentTypeErrorBody {
  return { type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' };
}

export type AnyErrorBody = GatewayErrorBody | FlowErrorBody | LegacyFlowErrorBody | MessageErrorBody | ContentTypeErrorBody;

/** Sends an error body with a status; returns the reply so handlers can `return sendError(...)`. */
export function sendError(reply: FastifyReply, status: number, body: AnyErrorBody): FastifyReply {
  return reply.code(status).type('application/json').send(body);
}

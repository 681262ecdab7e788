// How Flow Service validation reports a refused request: a status and an Adobe-shaped body.
import { flowError, messageError, type AnyErrorBody } from '../errors.js';

export interface Rejection {
  status: number;
  body: AnyErrorBody;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export const accept = <T>(value: T): Checked<T> => ({ ok: true, value });
export const refuse = <T>(rejection: Rejection): Checked<T> => ({ ok: false, rejection });

/** 400 with the Flow Service error shape; `code` is the FLOW-xxxx number. */
export function badRequest(code: string, message: string, details?: string[]): Rejection {
  return {
    status: 400,
    body: flowError({ code, status: 400, message, ...(details === undefined || details.length === 0 ? {} : { details: details.join('; ') }) }),
  };
}

export const INVALID_SPEC_ID: Rejection = { status: 400, body: messageError('Please provide a valid spec id') };

export function missingSpecVersion(field: 'connectionSpec' | 'flowSpec'): Rejection {
  return {
    status: 422,
    body: flowError({
      code: '1009',
      status: 422,
      message: `${field}.version 'version' is required for spec info. Make sure to include the version parameter alongside the ${field}.`,
    }),
  };
}

export function notFound(collection: string, id: string): Rejection {
  const message = `${collection} not found with id = [${id}]`;
  return { status: 404, body: flowError({ code: '1439', status: 404, message, entityType: collection, entityId: id }) };
}

export function preconditionFailed(supplied: string | undefined, current: string): Rejection {
  const message =
    supplied === undefined
      ? `If-Match header with the entity version is required; current version on entity=[${current}]`
      : `Supplied version=[${supplied}] does not match the current version on entity=[${current}]`;
  return { status: 412, body: flowError({ code: '1412', status: 412, message }) };
}

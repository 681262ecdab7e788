// The service's one error vocabulary. Every error a caller can see is an AppError with a stable
// code; src/http/plugins/problem-details.ts renders it as RFC 9457 problem+json.

export type ProblemCode =
  | 'validation_error'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'route_not_found'
  | 'conflict'
  | 'unprocessable'
  | 'governance_refused'
  | 'sql_error'
  | 'idempotency_in_flight'
  | 'idempotency_mismatch'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'service_unavailable'
  | 'platform_error'
  | 'storage_error'
  | 'internal';

const statusByCode: Record<ProblemCode, number> = {
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  unprocessable: 422,
  governance_refused: 422,
  sql_error: 422,
  idempotency_in_flight: 409,
  idempotency_mismatch: 422,
  payload_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  platform_error: 502,
  storage_error: 502,
  internal: 500,
};

const titleByCode: Record<ProblemCode, string> = {
  validation_error: 'The request is invalid',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  route_not_found: 'No such route',
  conflict: 'Conflict',
  unprocessable: 'The request cannot be processed',
  governance_refused: 'Refused by data governance',
  sql_error: 'Query Service refused the SQL',
  idempotency_in_flight: 'A request with this Idempotency-Key is in progress',
  idempotency_mismatch: 'Idempotency-Key reused with a different request',
  payload_too_large: 'Request body too large',
  uri_too_long: 'URI too long',
  headers_too_large: 'Request header fields too large',
  request_timeout: 'Request not received in time',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  service_unavailable: 'Service unavailable',
  platform_error: 'Adobe Experience Platform error',
  storage_error: "The destination's storage refused or failed",
  internal: 'Internal error',
};

// Job failure codes: what a failed export, pipeline or step stores as `error.code`, and a job
// waiting to retry as `lastError.code`. Callers read them in GET responses and notifications, so
// like the ProblemCodes above they are a closed list; renaming one is an API change.

/** A failed Platform call, by PlatformError kind (src/platform/errors.ts). */
export type PlatformFailureCode = `platform_${'transient' | 'conflict' | 'not_ready' | 'permanent' | 'permission' | 'auth' | 'not_found'}`;
/** A failed ML platform call, by MlPlatformError kind (src/pipelines/ml-client.ts). */
export type MlFailureCode = `ml_${'transient' | 'permanent' | 'auth' | 'not_found'}`;
/** Destination storage that refuses, is missing or cannot be opened. */
export type StorageFailureCode = 'storage_access_denied' | 'storage_not_found' | 'storage_unavailable' | 'storage_path_invalid';

export type ExportErrorCode =
  | PlatformFailureCode
  | 'governance_refused'
  | 'destination_invalid'
  | 'platform_run_failed'
  | 'already_exported'
  | 'run_timed_out';

export type PipelineErrorCode =
  | PlatformFailureCode
  | MlFailureCode
  | StorageFailureCode
  | 'pipeline_timed_out'
  | 'reference_unresolved'
  | 'destination_missing'
  | 'destination_invalid'
  | 'query_failed'
  | 'query_killed'
  | 'query_timeout'
  | 'no_rows'
  | 'dataset_missing'
  | 'export_missing'
  | 'export_failed'
  | 'ml_run_failed'
  | 'ml_output_missing'
  | 'ml_output_invalid'
  | 'ml_storage_unsupported'
  | 'training_set_empty'
  | 'scores_file_invalid'
  | 'no_scores'
  | 'batch_failed'
  | 'segment_job_failed'
  | 'activation_failed';

export type JobErrorCode = ExportErrorCode | PipelineErrorCode;

/** One invalid field: where it is and what is wrong, e.g. { location: 'body', pointer: '/format', ... }. */
export interface FieldError {
  location: 'body' | 'query' | 'params' | 'headers';
  /** JSON Pointer to the field (RFC 6901). */
  pointer: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    /** Plain words for the caller; never internal details for 5xx. */
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [member: string]: unknown } = {},
  ) {
    super(detail);
    this.status = statusByCode[code];
    this.title = titleByCode[code];
  }
}

export const notFound = (what: string, id: string) => new AppError('not_found', `${what} ${id} does not exist.`);

export const fieldError = (location: FieldError['location'], pointer: string, message: string) =>
  new AppError('validation_error', `${location}${pointer}: ${message}`, { errors: [{ location, pointer, message }] });

export function problemType(code: ProblemCode): string {
  return `/problems/${code.replaceAll('_', '-')}`;
}

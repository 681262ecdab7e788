// Pulls the Platform's own code and message out of every error body shape the export APIs use
// (reference platform-export-api.md section 6): gateway `error_code`, Flow Service RFC-7807-like
// bodies with `type` .../FLOW-1439-404, legacy `errorMessage`, bare `message`, Policy/Dataset
// Service `code` (PES-404), IMS `error`/`error_description`, and run `statusSummary.errors[]`.

export interface PlatformErrorDetails {
  code?: string;
  message?: string;
}

/** FLOW-1439-404, ACTIVATION_BATCH-0000-FAILED style codes. */
const TYPE_CODE = /([A-Z][A-Z_]{1,20}-\d{3,6}-(?:[1-5]\d{2}|[A-Z]+))\s*$/;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

function firstRunError(body: Record<string, unknown>): PlatformErrorDetails | undefined {
  const metrics = asRecord(body.metrics);
  const summary = asRecord(body.statusSummary) ?? asRecord(metrics?.statusSummary);
  const errors = summary?.errors;
  if (!Array.isArray(errors)) return undefined;
  const first = asRecord(errors[0]);
  if (!first) return undefined;
  return { code: text(first.code), message: text(first.message) };
}

/** Reads `code` and `message` from a parsed JSON error body (or a plain-text body). */
export function parsePlatformErrorBody(body: unknown): PlatformErrorDetails {
  if (typeof body === 'string') return { message: text(body)?.slice(0, 500) };
  const record = asRecord(body);
  if (!record) return {};

  const report = asRecord(record.report);
  const typeCode = typeof record.type === 'string' ? TYPE_CODE.exec(record.type)?.[1] : undefined;
  const runError = firstRunError(record);

  const code =
    text(record.error_code) ??
    text(record.code) ??
    typeCode ??
    text(record.error) ??
    runError?.code;

  const message =
    text(record.errorMessage) ??
    text(report?.['detailed-message']) ??
    text(record.detail) ??
    text(record.message) ??
    text(record.error_description) ??
    runError?.message ??
    text(record.errorDetails) ??
    text(record.title);

  return { code, message };
}

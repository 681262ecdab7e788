// A Platform failure met while serving a request, in the API's vocabulary: "try again later" (503)
// when the Platform is busy or down, otherwise 502 with the Platform's own words and code, so a
// caller can fix a credential or permission without reading our logs.
import { AppError } from '../errors.js';
import { PlatformError } from '../platform/errors.js';

export function platformFailureToProblem(error: unknown): unknown {
  if (!(error instanceof PlatformError)) return error;
  const members = {
    platformCode: error.code ?? null,
    platformKind: error.kind,
  };
  if (error.kind === 'transient' || error.kind === 'not_ready') {
    const retryAfterSeconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 5000) / 1000));
    return new AppError('service_unavailable', error.plainMessage, { ...members, headers: { 'retry-after': String(retryAfterSeconds) } });
  }
  return new AppError('platform_error', error.plainMessage, members);
}

/** Runs a Platform call and rethrows its failure as a problem. */
export async function withPlatformProblems<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw platformFailureToProblem(error);
  }
}

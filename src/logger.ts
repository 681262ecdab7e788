// pino options shared by every process: JSON by default, pretty in local mode, secrets redacted,
// and the bindings of the work in progress (a request's reqId, a job's jobId) on every line, even
// lines written by shared modules (the Platform client, services) that log with a root logger.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger, LoggerOptions } from 'pino';

/** Bindings of the request or job the current async call chain works for. */
export const logContext = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/** Runs `fn` with `bindings` added to every log line written inside it (and its async continuations). */
export function withLogContext<T>(bindings: Record<string, string>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...bindings }, fn);
}

/** The context bindings a line does not already carry (a request's child logger has its reqId). */
function contextMixin(_merge: object, _level: number, logger: Logger): object {
  const store = logContext.getStore();
  if (!store) return {};
  const bound = logger.bindings();
  const missing: Record<string, string> = {};
  for (const [key, value] of Object.entries(store)) if (!(key in bound)) missing[key] = value;
  return missing;
}

/** Paths that may carry secrets anywhere in a logged object. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers.Authorization',
  'authorization',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'credentials',
  '*.clientSecret',
  '*.client_secret',
  '*.password',
  '*.credentials',
  '*.accessToken',
  '*.access_token',
  '*.secret',
  '*.sshKey',
  '*.s3SecretKey',
  '*.secretAccessKey',
  '*.servicePrincipalKey',
  '*.connectionString',
  // Secrets a caller or a Platform error might echo back one level down.
  'req.headers.cookie',
  '*.headers.authorization',
  '*.apiKey',
  '*.privateKey',
  '*.accountKey',
  '*.sharedAccessSignature',
];

export function loggerOptions(opts: { level: string; pretty: boolean; name?: string }): LoggerOptions {
  return {
    level: opts.level,
    ...(opts.name ? { name: opts.name } : {}),
    redact: { paths: redactPaths, censor: '[redacted]' },
    mixin: contextMixin,
    ...(opts.pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

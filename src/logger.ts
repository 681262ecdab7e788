// pino options shared by every process: JSON by default, pretty in local mode, secrets redacted.
import type { LoggerOptions } from 'pino';

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
];

export function loggerOptions(opts: { level: string; pretty: boolean; name?: string }): LoggerOptions {
  return {
    level: opts.level,
    ...(opts.name ? { name: opts.name } : {}),
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(opts.pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

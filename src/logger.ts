// pino options shared by every process: JSON by default, pretty in local mode, secrets redacted,
// and the bindings of the work in progress (a request's reqId, a job's jobId) on every line, even
// lines written by shared modules (the Platform client, services) that log with a root logger.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger, LoggerOptions } from 'pino';

/**
 * Bindings of the request or job the current async call chain works for. Each withLogContext call
 * makes its own record, so addToLogContext changes only the work that record belongs to.
 */
export const logContext = new AsyncLocalStorage<Record<string, string>>();

/** Runs `fn` with `bindings` added to every log line written inside it (and its async continuations). */
export function withLogContext<T>(bindings: Record<string, string>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...bindings }, fn);
}

/**
 * Adds bindings to the current work's log context from now on (a request's tenant, once its API
 * key is known). Instead of a child logger: pino runs its redaction over every binding of a new
 * child, about 8 KiB of garbage per child, and a request would pay it for one line it rarely writes.
 */
export function addToLogContext(bindings: Record<string, string>): void {
  const store = logContext.getStore();
  if (store) Object.assign(store, bindings);
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

/**
 * A request's logger (Fastify's child with its reqId) that becomes a pino child only when it writes
 * its first line at an enabled level. Fastify makes one per request; pino builds a child by
 * stringifying and redacting its bindings at once (about 7 KiB of garbage per request, redaction
 * parses every path again), which at `warn` is wasted on nearly every request. The lines it writes
 * are those of `parent.child(bindings)`.
 */
class DeferredChildLogger {
  #child: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  private get real(): Logger {
    this.#child ??= this.parent.child(this.bindings);
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real.child(bindings, options);
  }

  private write(level: Level, args: unknown[]): void {
    const logger = this.#child ?? this.parent;
    if (logger.isLevelEnabled(level)) Reflect.apply(this.real[level], this.real, args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}
}

/**
 * Fastify's `childLoggerFactory`: a deferred child for a request's reqId; a route with its own log
 * level or serializers gets a pino child at once, as Fastify's default factory makes.
 */
export function requestChildLogger(parent: Logger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined) return parent.child(bindings, options);
  return new DeferredChildLogger(parent, bindings);
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

/**
 * Query parameters whose values are logged as sent: the documented filters and paging of the API.
 * Every other value is replaced, because a client may put a credential anywhere (`?api_key=...`,
 * `?access_token=...`, a misspelt name) and the URL is logged on every request.
 */
const loggedQueryParameters = new Set(['limit', 'cursor', 'status', 'datasetId', 'destinationId', 'templateId', 'createdAfter', 'createdBefore']);

/** The URL with every query value outside the documented parameters replaced by `[redacted]`. */
export function redactedUrl(rawUrl: string): string {
  // An API key (`aepj_<prefix>_<secret>`, src/tenants/api-keys.ts) pasted into the path as well.
  const url = rawUrl.replace(/aepj_[A-Za-z0-9_%-]+/gi, '[redacted]');
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const parts = url
    .slice(mark + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      const rawName = equals < 0 ? part : part.slice(0, equals);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replaceAll('+', ' '));
      } catch {
        name = '';
      }
      // A bare name with no value can itself be the secret (`?<key>`): only known names stay.
      if (equals < 0) return loggedQueryParameters.has(name) ? part : '[redacted]';
      return loggedQueryParameters.has(name) ? part : `${rawName.length > 64 ? '[redacted]' : rawName}=[redacted]`;
    });
  return `${url.slice(0, mark)}?${parts.join('&')}`;
}

/**
 * The request as logged (Fastify's "incoming request" line and any `req` binding): method, URL with
 * query values redacted, host and peer. No headers and no body: either may carry a credential.
 */
function requestSerializer(req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }): object {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactedUrl(req.url) : undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * pino-pretty is a dev dependency: a production install (npm ci --omit=dev, the image) has none,
 * and there LOG_PRETTY=true logs JSON rather than failing to start the transport.
 */
export function prettyPrinterInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function loggerOptions(opts: { level: string; pretty: boolean; name?: string }): LoggerOptions {
  return {
    level: opts.level,
    ...(opts.name ? { name: opts.name } : {}),
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { req: requestSerializer },
    mixin: contextMixin,
    ...(opts.pretty && prettyPrinterInstalled()
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
}

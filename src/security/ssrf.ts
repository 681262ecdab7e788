// SSRF guard for URLs a caller gives us (export callbackUrl, webhook endpoints). Three layers:
// 1. `urlProblem`: syntax only (https, no credentials, no literal internal address or name);
// 2. `resolvedUrlProblem`: also resolves the name and refuses it when any address is internal;
// 3. `createSsrfGuard(...).dispatcher`: an undici dispatcher that resolves again at connect time,
//    checks every address and connects to the checked one, so a DNS answer that changes between
//    check and use (rebinding) cannot reach an internal address. Redirects are never followed by
//    undici; `guardedRequest` follows them only when asked, checking every hop again.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { blockedAddressReason } from './address-policy.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address (like dns.lookup with all: true). Injectable for tests. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SsrfPolicy {
  /** Local development only: allow http and internal addresses. */
  allowPrivate: boolean;
  lookup?: HostLookup;
  /** Bound on one name resolution (default 2 s). */
  lookupTimeoutMs?: number;
}

/** A URL or address refused by the guard; thrown before any connection to it is made. */
export class SsrfBlockedError extends Error {
  override name = 'SsrfBlockedError';
  readonly code = 'ERR_SSRF_BLOCKED';
}

/** Names that always mean "this host or its private network", whatever DNS says. */
const internalNameSuffixes = ['.localhost', '.local', '.localdomain', '.internal', '.home.arpa'];

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function internalNameReason(host: string): string | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || internalNameSuffixes.some((s) => name.endsWith(s))) return 'an internal host name';
  // A single label (redis, metadata, postgres) is resolved through search domains: internal by nature.
  if (!name.includes('.')) return 'a host name without a domain';
  return null;
}

function refused(reason: string): string {
  return `must not point to ${reason}`;
}

/** Why the URL is refused on its face (scheme, credentials, literal address, internal name), or null. */
export function urlProblem(raw: string, policy: Pick<SsrfPolicy, 'allowPrivate'>): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowPrivate)) {
    return policy.allowPrivate ? 'must use https or http' : 'must use https';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (policy.allowPrivate) return null;
  const host = bareHost(url.hostname);
  if (isIP(host)) {
    const reason = blockedAddressReason(host);
    return reason ? refused(reason) : null;
  }
  const nameReason = internalNameReason(host);
  return nameReason ? refused(nameReason) : null;
}

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

async function lookupWithTimeout(hostname: string, policy: SsrfPolicy): Promise<ResolvedAddress[]> {
  const timeoutMs = policy.lookupTimeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`resolving ${hostname} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([(policy.lookup ?? defaultLookup)(hostname), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The addresses a host may be reached at; throws SsrfBlockedError when any of them is internal. */
export async function resolvePublicAddresses(hostname: string, policy: SsrfPolicy): Promise<ResolvedAddress[]> {
  const host = bareHost(hostname);
  if (isIP(host)) {
    const reason = policy.allowPrivate ? null : blockedAddressReason(host);
    if (reason) throw new SsrfBlockedError(`${host} is ${reason}`);
    return [{ address: host, family: isIP(host) }];
  }
  if (!policy.allowPrivate) {
    const nameReason = internalNameReason(host);
    if (nameReason) throw new SsrfBlockedError(`${host} is ${nameReason}`);
  }
  const addresses = await lookupWithTimeout(host, policy);
  if (addresses.length === 0) throw new Error(`${host} has no addresses`);
  if (!policy.allowPrivate) {
    // Every address must be public: the connection may be made to any of them.
    for (const { address } of addresses) {
      const reason = blockedAddressReason(address);
      if (reason) throw new SsrfBlockedError(`${host} resolves to ${reason}`);
    }
  }
  return addresses;
}

/**
 * Accept-time check: `urlProblem`, then the name's addresses. A name that does not resolve (yet) is
 * accepted, since the connect-time guard checks again at every delivery.
 */
export async function resolvedUrlProblem(raw: string, policy: SsrfPolicy): Promise<string | null> {
  const problem = urlProblem(raw, policy);
  if (problem || policy.allowPrivate) return problem;
  try {
    await resolvePublicAddresses(new URL(raw).hostname, policy);
    return null;
  } catch (error) {
    return error instanceof SsrfBlockedError ? 'must not resolve to a loopback, private, link-local or reserved address' : null;
  }
}

export interface SsrfGuard {
  readonly policy: SsrfPolicy;
  /** Connects only to addresses the policy allows, resolved and checked at connect time. */
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

export function createSsrfGuard(policy: SsrfPolicy, opts: { connectTimeoutMs?: number } = {}): SsrfGuard {
  const connect = buildConnector({ timeout: opts.connectTimeoutMs ?? 10_000 });
  const guarded: buildConnector.connector = (options, callback) => {
    const host = bareHost(options.hostname);
    resolvePublicAddresses(host, policy).then(
      (addresses) => {
        const first = addresses[0];
        if (!first) return callback(new SsrfBlockedError(`${host} has no addresses`), null);
        // Connect to the address just checked; TLS still verifies the certificate for the name.
        const servername = options.servername ?? (isIP(host) ? undefined : host);
        connect({ ...options, hostname: first.address, ...(servername ? { servername } : {}) }, callback);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
  const dispatcher = new Agent({ connect: guarded });
  return { policy, dispatcher, close: () => dispatcher.close() };
}

export interface GuardedRequestOptions {
  method?: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** How many redirects to follow, each re-checked (default 0: a 3xx is returned as it is). */
  maxRedirects?: number;
  /** The guard for each hop (0 is the URL given); lets tests relax only the first hop. */
  guardForHop: (hop: number) => SsrfGuard;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** An HTTP request through the SSRF guard; every hop is checked before it is connected to. */
export async function guardedRequest(raw: string, options: GuardedRequestOptions): Promise<Dispatcher.ResponseData> {
  let url = raw;
  let method: Dispatcher.HttpMethod = options.method ?? 'GET';
  let body = options.body;
  for (let hop = 0; ; hop++) {
    const guard = options.guardForHop(hop);
    const problem = await resolvedUrlProblem(url, guard.policy);
    if (problem) throw new SsrfBlockedError(`${hop === 0 ? 'URL' : `redirect ${hop}`} ${problem}`);
    const response = await request(url, {
      method,
      dispatcher: guard.dispatcher,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const location = response.headers.location;
    if (!redirectStatuses.has(response.statusCode) || hop >= (options.maxRedirects ?? 0) || typeof location !== 'string') return response;
    await response.body.dump();
    url = new URL(location, url).toString();
    // 303 (and, as browsers do, 301/302 after a POST) continue as a GET without the body.
    if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
}

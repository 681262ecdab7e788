// Runs one logical Platform call: token from the cache, one retry with a fresh token after a 401,
// retries with backoff per the call's safety, classification of failures, the onCall hook and
// debug logs (never headers, tokens or secrets).
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { classifyPlatformResponse, PlatformError, type ErrorContext, type PlatformArea, type PlatformErrorKind } from './errors.js';
import { callPlatform, firstHeader, type HttpMethod, type HttpTimeouts, type OriginPools, type PlatformCall, type RawResponse } from './http.js';
import { parseRetryAfterMs } from './retry-after.js';
import { withRetry, type CallSafety, type RetryPolicy } from './retry.js';
import type { TokenCache } from './token-cache.js';
import type { PlatformTarget } from './types.js';

/** One HTTP exchange with the Platform, reported to `onCall` (metrics). */
export interface PlatformCallEvent {
  endpoint: string;
  method: HttpMethod;
  /** null when no HTTP answer arrived (network failure, timeout, abort). */
  status: number | null;
  durationMs: number;
  /** 1-based attempt of the logical call; the retry after a 401 keeps the same number. */
  attempt: number;
  errorKind?: PlatformErrorKind;
}

/**
 * The one call shape of the Platform client: the HTTP call (PlatformCall) plus how to classify its
 * failures and whether it may be retried. Every client method, export side and pipeline side, is a
 * function that describes one of these and hands it to `send`.
 */
export interface CallSpec extends PlatformCall {
  /** Closest area (drives the error classification); `permission` names an API's own permission. */
  area: PlatformArea;
  subject: string;
  safety: CallSafety;
  /** The Adobe permission a 403 on this API means, e.g. "Manage Queries"; absent: the area's wording. */
  permission?: string;
}

/** Per-call options of every client method. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** What a method describes: the spec without the per-call signal, `safety` defaulting to 'safe'. */
export type MethodCall = Omit<CallSpec, 'signal' | 'safety'> & { safety?: CallSafety };
export type Send = (call: MethodCall, opts?: CallOptions) => Promise<RawResponse>;

export interface CallExecutorDeps {
  target: PlatformTarget;
  tokens: TokenCache;
  pools: OriginPools;
  timeouts: HttpTimeouts;
  policy: RetryPolicy;
  log: Logger;
  onCall?: (event: PlatformCallEvent) => void;
}

export type CallExecutor = (spec: CallSpec) => Promise<RawResponse>;

export function errorContextOf(spec: CallSpec, target: PlatformTarget): ErrorContext {
  return {
    endpoint: spec.endpoint,
    area: spec.area,
    mutating: spec.method !== 'GET',
    subject: spec.subject,
    sandbox: target.sandbox,
    orgId: target.orgId,
  };
}

export function createCallExecutor(deps: CallExecutorDeps): CallExecutor {
  const { target, tokens, log } = deps;

  function report(event: PlatformCallEvent): void {
    log.debug(event, 'platform call');
    if (!deps.onCall) return;
    try {
      deps.onCall(event);
    } catch (error) {
      log.error({ err: error }, 'onCall hook threw');
    }
  }

  async function exchange(spec: CallSpec, token: string, attempt: number): Promise<RawResponse> {
    const started = performance.now();
    try {
      const response = await callPlatform(deps.pools, target, token, spec, deps.timeouts);
      report({ endpoint: spec.endpoint, method: spec.method, status: response.status, durationMs: performance.now() - started, attempt });
      return response;
    } catch (error) {
      report({
        endpoint: spec.endpoint,
        method: spec.method,
        status: null,
        durationMs: performance.now() - started,
        attempt,
        errorKind: error instanceof PlatformError ? error.kind : undefined,
      });
      throw error;
    }
  }

  /** Token failures already went through the cache's own retries: never retried again here. */
  async function tokenFor(spec: CallSpec): Promise<string> {
    try {
      return await tokens.getToken(target, spec.signal);
    } catch (error) {
      throw new TokenUnavailable(error);
    }
  }

  async function attemptOnce(spec: CallSpec, attempt: number): Promise<RawResponse> {
    let token = await tokenFor(spec);
    let response = await exchange(spec, token, attempt);
    if (response.status === 401) {
      // The gateway rejected the token before doing anything: safe to replay even a create.
      tokens.invalidate(target, token);
      token = await tokenFor(spec);
      response = await exchange(spec, token, attempt);
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw classifyPlatformResponse(
      {
        status: response.status,
        body: response.body,
        retryAfterMs: parseRetryAfterMs(response.headers['retry-after'], Date.now()),
        requestId: firstHeader(response.headers, 'x-request-id'),
      },
      errorContextOf(spec, target),
    );
  }

  return async (spec) => {
    try {
      return await withRetry((attempt) => attemptOnce(spec, attempt), {
        policy: deps.policy,
        safety: spec.safety,
        subject: spec.subject,
        signal: spec.signal,
        onRetry: ({ attempt, delayMs, error }) =>
          log.warn(
            { endpoint: spec.endpoint, attempt, delayMs, kind: error.kind, status: error.status, code: error.code },
            'platform call failed, retrying',
          ),
      });
    } catch (error) {
      // Not a PlatformError inside withRetry, so it was neither retried nor made ambiguous: the
      // request never left; surface the IMS error itself.
      if (error instanceof TokenUnavailable) throw error.cause;
      throw error;
    }
  };
}

/** Wraps a token-cache failure so the retry layer passes it through untouched. */
class TokenUnavailable extends Error {
  constructor(override readonly cause: unknown) {
    super('no access token');
  }
}

/**
 * The `send` every method uses. A 403 on an API with its own permission names that permission, so
 * a refused pipeline step says "Manage Queries" or "Manage Schemas" instead of the export side's
 * destination wording.
 */
export function createSender(execute: CallExecutor, sandbox: string): Send {
  return async (call, opts) => {
    const { permission, ...spec } = call;
    try {
      return await execute({ ...spec, safety: spec.safety ?? 'safe', signal: opts?.signal });
    } catch (error) {
      if (permission === undefined || !(error instanceof PlatformError) || error.kind !== 'permission') throw error;
      throw new PlatformError({
        kind: 'permission',
        endpoint: error.endpoint,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.code === undefined ? {} : { code: error.code }),
        ...(error.platformMessage === undefined ? {} : { platformMessage: error.platformMessage }),
        plainMessage: `The Adobe credential lacks the '${permission}' permission in sandbox '${sandbox}'; add it to the product profile of the credential's technical account.`,
        cause: error,
      });
    }
  };
}

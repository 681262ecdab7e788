// How a failed Platform call ends a step: transient trouble (5xx, 429, network, a lost response,
// an etag race) waits and tries again with backoff, honouring Retry-After; a permanent answer
// (invalid request, missing permission, bad credential) fails the export with the Platform's code
// and message in plain words. Anything that is not a PlatformError is a bug or a database outage
// and is rethrown for BullMQ's own retries.
import type { ExportErrorCode } from '../../errors.js';
import { platformErrorCause } from '../../last-error.js';
import { PlatformError } from '../../platform/errors.js';
import { backoffDelayMs } from '../../jobs/backoff.js';
import type { ExportError, ExportStep } from './export-model.js';
import { fail, wait, type StepContext, type StepEnd } from './step-context.js';

export function exportErrorOf(error: PlatformError, step: ExportError['step'], code?: ExportErrorCode): ExportError {
  return { ...platformErrorCause(error, code), step };
}

/** Backoff for transient trouble, never shorter than the Platform's Retry-After. */
export function transientDelayMs(ctx: StepContext, retryAfterMs: number | undefined): number {
  const delay = backoffDelayMs(ctx.waits, { initialMs: ctx.settings.runPollInitialMs, maxMs: ctx.settings.runPollMaxMs }, ctx.random);
  return Math.max(delay, retryAfterMs ?? 0);
}

export function outcomeOfPlatformError(ctx: StepContext, error: unknown, step: ExportStep): StepEnd {
  if (!(error instanceof PlatformError)) throw error;
  switch (error.kind) {
    case 'transient':
    case 'conflict':
    case 'not_ready':
      ctx.log.warn({ step, kind: error.kind, status: error.status, code: error.code, ambiguous: error.ambiguous }, 'platform call failed; will retry');
      return wait(transientDelayMs(ctx, error.kind === 'not_ready' ? undefined : error.retryAfterMs), 'waiting_for_platform', error.plainMessage, platformErrorCause(error));
    case 'permanent':
    case 'permission':
    case 'auth':
    case 'not_found':
      return fail(exportErrorOf(error, step));
  }
}

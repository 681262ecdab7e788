// How a failed Platform or ML platform call ends a step: transient trouble (5xx, 429, network, a
// lost answer, "not ready") waits and tries again with backoff, honouring Retry-After; a permanent
// answer (invalid request, missing permission, bad credential) fails the pipeline with the
// Platform's code and message in plain words; storage that is gone or refuses our credentials
// fails likewise. Anything else (a bug, a database or storage outage) is rethrown for BullMQ's own
// retries.
import { backoffDelayMs } from '../../jobs/backoff.js';
import type { MlFailureCode } from '../../errors.js';
import { platformErrorCause, type LastErrorCause } from '../../last-error.js';
import { PlatformError } from '../../platform/errors.js';
import { InvalidStoragePathError, StorageAccessDeniedError, StorageNotFoundError } from '../../storage/object-store.js';
import { StoreOpenError } from '../../storage/store-factory.js';
import { MlPlatformError } from '../ml-client.js';
import { fail, wait, type StepOutcome } from './pipeline-model.js';
import type { StepContext } from './step-context.js';
import { LocationUnavailableError } from './storage-locations.js';

/** Backoff of polls and transient retries (the worker's run-poll policy), never shorter than Retry-After. */
export function pollDelayMs(ctx: Pick<StepContext, 'waits' | 'settings' | 'random'>, retryAfterMs?: number): number {
  const { runPollInitialMs: initialMs, runPollMaxMs: maxMs } = ctx.settings.worker;
  return Math.max(backoffDelayMs(ctx.waits, { initialMs, maxMs }, ctx.random), retryAfterMs ?? 0);
}

/** Backoff after the Platform's "not ready yet" answer. */
export function notReadyDelayMs(ctx: Pick<StepContext, 'waits' | 'settings' | 'random'>): number {
  const { notReadyRetryInitialMs: initialMs, notReadyRetryMaxMs: maxMs } = ctx.settings.worker;
  return backoffDelayMs(ctx.waits, { initialMs, maxMs }, ctx.random);
}

export function platformFailure(error: PlatformError): StepOutcome {
  const { code, message, ...extra } = platformErrorCause(error);
  return fail(code, message, extra);
}

function mlErrorCause(error: MlPlatformError): LastErrorCause<MlFailureCode> {
  return {
    code: `ml_${error.kind}`,
    message: error.message,
    ...(error.code === undefined ? {} : { platformCode: error.code }),
    ...(error.status === undefined ? {} : { httpStatus: error.status }),
  };
}

/** Storage trouble a retry cannot fix, in plain words; null for anything else. */
function storageFailure(error: unknown): StepOutcome | null {
  if (error instanceof LocationUnavailableError) return fail('destination_missing', error.message);
  if (error instanceof StorageAccessDeniedError) return fail('storage_access_denied', `The storage refused the destination's credentials: ${error.message}`);
  if (error instanceof StorageNotFoundError) return fail('storage_not_found', `${error.message}.`);
  if (error instanceof StoreOpenError) return fail('storage_unavailable', error.message);
  if (error instanceof InvalidStoragePathError) return fail('storage_path_invalid', error.message);
  return null;
}

export function outcomeOfCallError(ctx: Pick<StepContext, 'log' | 'waits' | 'settings' | 'random'>, error: unknown): StepOutcome {
  const storage = storageFailure(error);
  if (storage !== null) return storage;
  if (error instanceof MlPlatformError) {
    if (error.kind === 'transient') {
      ctx.log.warn({ status: error.status, code: error.code }, 'ML platform call failed; will retry');
      return wait(pollDelayMs(ctx), error.message, mlErrorCause(error));
    }
    const { code, message, ...extra } = mlErrorCause(error);
    return fail(code, message, extra);
  }
  if (!(error instanceof PlatformError)) throw error;
  switch (error.kind) {
    case 'transient':
    case 'conflict':
      ctx.log.warn({ kind: error.kind, status: error.status, code: error.code, ambiguous: error.ambiguous }, 'platform call failed; will retry');
      return wait(pollDelayMs(ctx, error.retryAfterMs), error.plainMessage, platformErrorCause(error));
    case 'not_ready':
      return wait(notReadyDelayMs(ctx), error.plainMessage, platformErrorCause(error));
    case 'permanent':
    case 'permission':
    case 'auth':
    case 'not_found':
      return platformFailure(error);
  }
}

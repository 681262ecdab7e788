// The last failed Platform (or ML-platform) call of a job that is waiting to try it again, stored
// on the export row and on the pipeline step (`last_error`) and shown while the job waits: what
// failed, in plain words and in the Platform's own code, which attempt that was and when the next
// one is due. Without it a retrying job looks idle ("waiting_for_platform", "error": null).
//
// Lifetime (docs/reliability.md, "Visible retries"): written by every wait that follows a failed
// call; cleared as soon as the job moves on (the step succeeds, a wait follows a call that
// succeeded, or the job fails, when `error` holds the final word). It is not kept as history: the
// log has every attempt. Readers show it only while the export or step is still active.
import { z } from 'zod';
import type { JobErrorCode, PlatformFailureCode } from './errors.js';
import type { PlatformError } from './platform/errors.js';

/** What failed (the same members as a stored failure, so a final error reads alike). */
export interface LastErrorCause<Code extends JobErrorCode = JobErrorCode> {
  code: Code;
  message: string;
  platformCode?: string;
  platformMessage?: string;
  httpStatus?: number;
}

export interface StoredLastError extends Omit<LastErrorCause, 'code'> {
  /** A JobErrorCode when we wrote it; read back as text (a relayed record may be older than this code). */
  code: string;
  /** The step whose call failed. */
  step: string;
  /** How many calls at this step failed in a row, this one included. */
  attempt: number;
  /** When the failed call was answered. */
  at: string;
  /** When the job tries again. */
  nextRetryAt: string;
}

const StoredLastErrorSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
  step: z.string().nullish(),
  platformCode: z.string().nullish(),
  platformMessage: z.string().nullish(),
  httpStatus: z.number().int().nullish(),
  attempt: z.number().int().min(1).optional(),
  at: z.string().optional(),
  nextRetryAt: z.string().optional(),
});

/** A failed Platform call in our words and the Platform's (also the body of a final failure). */
export function platformErrorCause<Code extends JobErrorCode = PlatformFailureCode>(error: PlatformError, code?: Code): LastErrorCause<Code | PlatformFailureCode> {
  return {
    code: code ?? `platform_${error.kind}`,
    message: error.plainMessage,
    ...(error.code === undefined ? {} : { platformCode: error.code }),
    ...(error.platformMessage === undefined ? {} : { platformMessage: error.platformMessage }),
    ...(error.status === undefined ? {} : { httpStatus: error.status }),
  };
}

/** The record after another failed call at `step`: the attempt counts on from the previous one at the same step. */
export function nextLastError(previous: unknown, cause: LastErrorCause, step: string, at: Date, nextRetryAt: Date): StoredLastError {
  const parsed = StoredLastErrorSchema.safeParse(previous);
  const sameStep = parsed.success && parsed.data.step === step;
  const attempt = sameStep ? (parsed.data.attempt ?? 0) + 1 : 1;
  return { ...cause, step, attempt, at: at.toISOString(), nextRetryAt: nextRetryAt.toISOString() };
}

/** A stored record read back (to relay another job's, as a pipeline's export step does); null when none or unreadable. */
export function storedLastErrorOf(value: unknown): StoredLastError | null {
  const parsed = StoredLastErrorSchema.safeParse(value);
  if (value === null || value === undefined || !parsed.success) return null;
  const e = parsed.data;
  if (e.code === undefined || e.message === undefined || e.step == null || e.attempt === undefined || e.at === undefined || e.nextRetryAt === undefined) return null;
  return {
    code: e.code,
    message: e.message,
    ...(e.platformCode == null ? {} : { platformCode: e.platformCode }),
    ...(e.platformMessage == null ? {} : { platformMessage: e.platformMessage }),
    ...(e.httpStatus == null ? {} : { httpStatus: e.httpStatus }),
    step: e.step,
    attempt: e.attempt,
    at: e.at,
    nextRetryAt: e.nextRetryAt,
  };
}

export const LastErrorSchema = z
  .object({
    code: z.string().describe('Our code, e.g. platform_transient, platform_conflict, ml_transient'),
    message: z.string().describe('What failed, in plain words'),
    platformCode: z.string().nullable().describe("The Platform's own error code, e.g. FLOW-0000-503"),
    platformMessage: z.string().nullable(),
    httpStatus: z.number().int().nullable(),
    step: z.string().nullable().describe('The step whose call failed'),
    attempt: z.number().int().describe('Failed calls at this step in a row, this one included'),
    at: z.string().nullable().describe('When the failed call was answered'),
    nextRetryAt: z.string().nullable().describe('When the call is tried again'),
  })
  .meta({
    id: 'LastError',
    description: 'The last failed Platform call of a job waiting to retry it; null once the job moves on or ends (see `error` for a final failure).',
  });
export type LastErrorView = z.infer<typeof LastErrorSchema>;

/** The stored value as callers see it, read leniently; null when none is stored or the job is no longer active. */
export function presentLastError(value: unknown, active: boolean): LastErrorView | null {
  if (!active || value === null || value === undefined) return null;
  const parsed = StoredLastErrorSchema.safeParse(value);
  const e = parsed.success ? parsed.data : {};
  return {
    code: e.code ?? 'unknown',
    message: e.message ?? 'A Platform call failed; it is tried again.',
    platformCode: e.platformCode ?? null,
    platformMessage: e.platformMessage ?? null,
    httpStatus: e.httpStatus ?? null,
    step: e.step ?? null,
    attempt: e.attempt ?? 1,
    at: e.at ?? null,
    nextRetryAt: e.nextRetryAt ?? null,
  };
}

// The error a worker stores on an export or pipeline row (JSON), as callers see it. Read leniently:
// a field the worker adds later must never break a GET, and a malformed value still answers.
import { z } from 'zod';

const StoredErrorSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
  step: z.string().nullish(),
  platformCode: z.string().nullish(),
  platformMessage: z.string().nullish(),
});

export interface PresentedError {
  code: string;
  message: string;
  step: string | null;
  platformCode: string | null;
  platformMessage: string | null;
}

/** null when nothing is stored; `fallbackMessage` when the stored value has no message. */
export function presentStoredError(value: unknown, fallbackMessage: string): PresentedError | null {
  if (value === null || value === undefined) return null;
  const parsed = StoredErrorSchema.safeParse(value);
  const e = parsed.success ? parsed.data : {};
  return {
    code: e.code ?? 'unknown',
    message: e.message ?? fallbackMessage,
    step: e.step ?? null,
    platformCode: e.platformCode ?? null,
    platformMessage: e.platformMessage ?? null,
  };
}

/** An optional instant as ISO 8601, or null. */
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

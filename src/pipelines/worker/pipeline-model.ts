// The pipeline state machine as the worker sees it: the loaded row, the error a failed step or
// pipeline records, and what a step handler answers.
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import type { PipelineErrorCode } from '../../errors.js';
import type { Pipeline, PipelineStep, Tenant } from '../../generated/prisma/client.js';
import type { LastErrorCause, StoredLastError } from '../../last-error.js';
import { PipelineStepSchema, type PipelineStepDefinition } from '../pipeline-definition.js';

export type LoadedPipeline = Pipeline & { tenant: Tenant; steps: PipelineStep[] };

export async function loadPipeline(db: DbOrTx, id: string): Promise<LoadedPipeline | null> {
  return db.pipeline.findUnique({ where: { id }, include: { tenant: true, steps: { orderBy: { index: 'asc' } } } });
}

/** What GET /pipelines/:id shows of a failure: plain words plus the Platform's own code and text. */
export interface PipelineError {
  code: PipelineErrorCode;
  message: string;
  step: string | null;
  platformCode?: string;
  platformMessage?: string;
  httpStatus?: number;
}

export type StepOutcome =
  /** The step finished; its outputs become available to later steps. */
  | { kind: 'done'; outputs: Record<string, unknown> }
  /**
   * Look again after `delayMs` (the job is delayed, holding no worker slot). `lastError`: the failed
   * call this wait retries; `relayedLastError`: another job's, shown as it is (an export's).
   */
  | { kind: 'wait'; delayMs: number; reason: string; lastError?: LastErrorCause; relayedLastError?: StoredLastError }
  | { kind: 'fail'; error: Omit<PipelineError, 'step'> };

export const done = (outputs: Record<string, unknown>): StepOutcome => ({ kind: 'done', outputs });
export const wait = (delayMs: number, reason: string, lastError?: LastErrorCause): StepOutcome => ({
  kind: 'wait',
  delayMs,
  reason,
  ...(lastError === undefined ? {} : { lastError }),
});
export const fail = (code: PipelineErrorCode, message: string, extra: Partial<Omit<PipelineError, 'code' | 'message' | 'step'>> = {}): StepOutcome => ({
  kind: 'fail',
  error: { code, message, ...extra },
});

const StoredDefinitionSchema = z.object({ steps: z.array(PipelineStepSchema) });

/** The stored definition (validated when accepted; parsed again so a bad row fails loudly). */
export function definitionOf(pipeline: Pipeline): PipelineStepDefinition[] {
  return StoredDefinitionSchema.parse(pipeline.definition).steps;
}

const JsonRecordSchema = z.record(z.string(), z.unknown());

export function jsonRecord(value: unknown): Record<string, unknown> {
  const parsed = JsonRecordSchema.safeParse(value);
  return parsed.success ? { ...parsed.data } : {};
}

// The durable step runner exports and pipelines share: load the row, claim it (fencing, see
// fencing.ts), and run its steps until the job finishes, fails or has to wait. Knows nothing of
// BullMQ: a wait comes back as `delay` and the queue adapter re-schedules the job, keeping
// `progress` (how often it already waited at this step, which drives backoff). Safe to run twice
// for the same row: a terminal row is acked, every write is fenced, and a lost claim is decided
// again from a fresh read.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { LostClaimError } from './fencing.js';

/** Kept in the BullMQ job's progress: how often the job already waited at this step. */
export const JobProgressSchema = z.object({ step: z.string(), waits: z.number().int().min(0) });
export type JobProgress = z.infer<typeof JobProgressSchema>;

export type JobOutcome = { kind: 'done'; reason: string } | { kind: 'delay'; delayMs: number; progress: JobProgress };

/** A pass that keeps moving without finishing or waiting is a bug; stop it rather than spin. */
const MAX_STEPS_PER_ACTIVATION = 40;
const MAX_CLAIM_ROUNDS = 3;
/** Where a pass cut short by the step limit looks again. */
const STALLED_RETRY_MS = 1000;

/** How often the job already waited at `step` (0 when its progress names another step). */
export function waitsAt(step: string, progress: unknown): number {
  const parsed = JobProgressSchema.safeParse(progress);
  return parsed.success && parsed.data.step === step ? parsed.data.waits : 0;
}

/** This activation's claim on the row: every write through it is fenced. */
export interface Claim {
  update(db: Db, patch: { nextCheckAt: Date }): Promise<void>;
}

/** One claimed pass over a job's steps. */
export interface StepPass {
  /** Runs the current step and records what it answered: null to go on, else how the activation ends. */
  runStep(): Promise<JobOutcome | null>;
  /** Where the pass is: logged, and kept as progress if the step limit cuts the pass short. */
  position(): { step: unknown; progress: JobProgress };
}

export interface DurableJob<Row extends { status: string }, C extends Claim> {
  /** `export`, `pipeline`: in log lines. */
  noun: string;
  load(): Promise<Row | null>;
  isActive(row: Row): boolean;
  /** A cancelled row is cleaned up without a claim (its writes are conditioned on `cancelled`). */
  cleanUpCancelled(row: Row): Promise<JobOutcome>;
  /** Claims the row (its claim counter + 1); null when it moved since it was read. */
  claim(row: Row): Promise<C | null>;
  /** The row's claim counter (the fence) as stored, and as this activation's claim set it; logged under `name`. */
  claimCounter: { ofRow(row: Row): number; ofClaim(claim: C): number; name: string };
  /** Statuses a claimed row has; after a lost claim, one of them with another claim counter means another activation carries on. */
  claimedStatuses: readonly string[];
  pass(row: Row, claim: C, log: Logger): StepPass;
}

export interface RunnerDeps {
  db: Db;
  now: () => number;
}

async function runPass(deps: RunnerDeps, noun: string, claim: Claim, pass: StepPass, log: Logger): Promise<JobOutcome> {
  for (let i = 0; i < MAX_STEPS_PER_ACTIVATION; i++) {
    const outcome = await pass.runStep();
    if (outcome !== null) return outcome;
  }
  const { step, progress } = pass.position();
  log.error({ step }, `${noun} made no progress within one activation; retrying shortly`);
  await claim.update(deps.db, { nextCheckAt: new Date(deps.now() + STALLED_RETRY_MS) });
  return { kind: 'delay', delayMs: STALLED_RETRY_MS, progress };
}

export async function runDurableJob<Row extends { status: string }, C extends Claim>(
  deps: RunnerDeps,
  job: DurableJob<Row, C>,
  log: Logger,
): Promise<JobOutcome> {
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const row = await job.load();
    if (row === null) {
      log.warn(`${job.noun} row not found; job dropped`);
      return { kind: 'done', reason: 'missing' };
    }
    if (row.status === 'cancelled') return job.cleanUpCancelled(row);
    if (!job.isActive(row)) {
      log.info({ status: row.status }, `${job.noun} already finished; duplicate delivery acked`);
      return { kind: 'done', reason: 'duplicate' };
    }
    const claim = await job.claim(row);
    if (claim === null) continue;
    const counter = job.claimCounter.ofClaim(claim);
    const claimedLog = log.child({ [job.claimCounter.name]: counter });
    try {
      return await runPass(deps, job.noun, claim, job.pass(row, claim, claimedLog), claimedLog);
    } catch (error) {
      if (!(error instanceof LostClaimError)) throw error;
      const now = await job.load();
      // Claimed again by another activation (a stalled job re-run): that one carries on. A row the
      // API moved (cancelled, or queued for another run) is decided again here.
      if (now && job.claimedStatuses.includes(now.status) && job.claimCounter.ofRow(now) !== counter) {
        claimedLog.info(`another activation claimed this ${job.noun}; stopping`);
        return { kind: 'done', reason: 'superseded' };
      }
      claimedLog.info({ status: now?.status }, `${job.noun} changed under this activation; deciding again`);
    }
  }
  return { kind: 'done', reason: 'contended' };
}

// Time until a SIGKILLed worker's export resumes. The export is caught mid-work: its job active in
// the worker (it holds BullMQ's lock) and a Platform call in flight (the step that looks up and
// creates the source connection). The worker is SIGKILLed, a new one starts at once, and the row
// is watched: the new worker's claim (claims + 1) is the resume, then its next step, then the end.
// What to expect: BullMQ hands a dead worker's active job to another worker only through its stalled
// check, which needs two passes (one marks the active job, a later one finds its lock expired and
// moves it back to wait), and a pass is skipped while the previous checker's key (one stalled
// interval long) lives, which can also skip a worker's own next pass (its timer fires ~1 ms after
// the key it set expires). So the resume takes one, two or three stalled intervals. The sweeper does
// not shorten it: it re-adds overdue rows by id, and an id whose job is still active is a no-op.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { fakeDestinationBodies } from '../test/support/api.js';
import type { ServiceProcess } from '../test/support/processes.js';
import { postExports, type BenchWorld } from './lib/bench-world.js';
import { waitUntilTerminal } from './lib/export-rows.js';

export interface LockSettings {
  label: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export interface ResumeSample {
  settings: string;
  killedAtStep: string;
  /** BullMQ's view of the job at the kill (active: it held the lock). */
  jobStateAtKill: string;
  /** Kill → the new worker started (process ready). */
  restartMs: number;
  /** Kill → the replacement's BullMQ stalled check moved the job back to wait (its "job stalled" log line). */
  stalledEventMs: number | null;
  /** Kill → the row claimed again by the new worker (its first write). */
  resumeMs: number;
  /** Kill → the row's step moved on. */
  nextStepMs: number;
  /** Kill → the export's finishedAt. */
  terminalMs: number;
  status: string;
}

/** The worker settings that decide how fast a dead worker's job is taken over. */
export function lockEnv(settings: LockSettings): Record<string, string> {
  return { WORKER_LOCK_DURATION_MS: String(settings.lockDurationMs), WORKER_STALLED_INTERVAL_MS: String(settings.stalledIntervalMs) };
}

interface RowState {
  status: string;
  step: string;
  claims: number;
  finishedAt: Date | null;
}

async function rowOf(world: BenchWorld, id: string): Promise<RowState> {
  const { rows } = await world.pool.query<RowState>('SELECT status, step, claims, finished_at AS "finishedAt" FROM exports WHERE id = $1', [id]);
  const row = rows[0];
  if (row === undefined) throw new Error(`export ${id} is missing`);
  return row;
}

/** When the worker logged that it found this job stalled (pino's epoch-ms `time`), if it did. */
function stalledEventAt(worker: ServiceProcess, jobId: string): number | null {
  const line = worker
    .output()
    .split('\n')
    .find((l) => l.includes('job stalled') && l.includes(jobId));
  const time = line === undefined ? undefined : /"time":(\d+)/.exec(line)?.[1];
  return time === undefined ? null : Number(time);
}

async function pollUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Posts an export, kills `worker` while it works on it, starts a replacement; returns the sample and the replacement. */
export async function killAndResume(
  world: BenchWorld,
  queue: Queue,
  worker: ServiceProcess,
  settings: LockSettings,
): Promise<{ sample: ResumeSample; replacement: ServiceProcess }> {
  // A destination nobody exported to: the export walks the whole chain of creates.
  const destinationId = await world.createDestination({ ...fakeDestinationBodies.dlz, name: `bench resume ${Date.now()}` });
  const datasetId = [...(await world.datasets()).values()][0];
  if (datasetId === undefined) throw new Error('no exportable dataset');
  const { accepted } = await postExports(world, [{ datasetId, destinationId, path: 'bench/resume', format: 'parquet', compression: 'gzip' }], 1);
  const id = accepted[0] as string;

  // The step is saved before its handler runs, so this step's first Platform call is in flight now.
  const killStep = 'source_connection';
  await pollUntil('worker reaching the source connection step', 60_000, async () => (await rowOf(world, id)).step === killStep);
  const jobStateAtKill = await queue.getJobState(id);
  await worker.kill9();
  const killedAt = Date.now();
  const atKill = await rowOf(world, id);
  // The replacement starts at once; the row is watched meanwhile (a short lock may let it resume fast).
  const starting = world.startWorker(lockEnv(settings)).then((started) => ({ started, restartMs: Date.now() - killedAt }));
  starting.catch(() => undefined); // awaited below; a failed start must not go unhandled while the row is polled

  let resumedAt = 0;
  const nextStepAt = await pollUntil('export resuming', 10 * 60_000, async () => {
    const now = await rowOf(world, id);
    if (resumedAt === 0 && now.claims > atKill.claims) resumedAt = Date.now();
    return resumedAt !== 0 && (now.step !== atKill.step || now.status !== 'running');
  });
  const { started: replacement, restartMs } = await starting;
  const done = await waitUntilTerminal(world.pool, [id], { timeoutMs: 5 * 60_000, pollMs: 50 });
  const final = await rowOf(world, id);
  const stalledAt = stalledEventAt(replacement, id);
  return {
    sample: {
      settings: settings.label,
      killedAtStep: atKill.step,
      jobStateAtKill,
      restartMs,
      stalledEventMs: stalledAt === null ? null : stalledAt - killedAt,
      resumeMs: resumedAt - killedAt,
      nextStepMs: nextStepAt - killedAt,
      terminalMs: (done.lastFinishedAt ?? Date.now()) - killedAt,
      status: final.status,
    },
    replacement,
  };
}

// Export use cases behind the HTTP routes: accept (validate, check governance, commit, enqueue),
// read, list, request another run, cancel, change a recurring schedule, pause and resume it. The
// worker does the Platform work; the two agree through the export row (see export-status.ts).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { Db } from '../db/client.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import { withPlatformProblems } from '../datasets/platform-failure.js';
import { findDestination } from '../destinations/destination-store.js';
import { AppError, fieldError, notFound } from '../errors.js';
import { pageOf, type Keyset } from '../pagination.js';
import type { JobProducer } from '../jobs/queue.js';
import { wakeJob } from '../jobs/wake-job.js';
import type { PlatformRegistry } from '../platform-registry.js';
import { PlatformError } from '../platform/errors.js';
import type { IdempotencyRequest } from '../security/idempotency-store.js';
import { jsonContentType, type IdempotentAnswer, type IdempotentAnswers } from '../security/idempotent-answers.js';
import { createTenantCache, type TenantCache, type TenantRow } from '../tenants/tenant-cache.js';
import { resolvedCallbackUrlProblem } from './export-callback-url.js';
import { destinationPathProblem } from './export-path.js';
import { enqueueExportAfterCommit } from './export-enqueue.js';
import { presentExport, presentExportSummary } from './export-presenter.js';
import {
  parseStoredSchedule,
  platformScheduleParams,
  resolveRecurringSchedule,
  type RecurringSchedule,
  type ScheduleInput,
} from './export-schedule.js';
import type { CreateExportBody, ExportView, ListExportsQuery, UpdateExportBody } from './export-schemas.js';
import { activeExportStatuses, exportStatuses, rerunnableExportStatuses } from './export-status.js';
import { createExportAcceptor } from './export-accept.js';
import {
  acceptedExportRow,
  findExport,
  type NewExport,
  insertRequestedRun,
  listExports,
  markCancelled,
  requeueForAnotherRun,
  setPaused,
  setReactivated,
  setResumed,
  updateSchedule,
  watchingStatuses,
} from './export-store.js';

export interface ExportServiceDeps {
  db: Db;
  producer: Pick<JobProducer, 'enqueue' | 'enqueueMany' | 'queue'>;
  datasets: Pick<DatasetService, 'assertExportable'>;
  platforms: PlatformRegistry;
  config: Pick<ServiceConfig, 'callbacks' | 'accept' | 'http'>;
  /** Idempotency-Key records written with the accept (POST /exports is an atomic route). */
  answers: IdempotentAnswers;
  logger: Logger;
  /** Shared with the admin routes, which drop a tenant's row when they change it. */
  tenants?: TenantCache;
  now?: () => Date;
}

export function createExportService(deps: ExportServiceDeps) {
  const { db, producer, platforms, answers } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'export-service' });
  const tenants = deps.tenants ?? createTenantCache(db);

  async function tenantOf(tenantId: string): Promise<TenantRow> {
    const tenant = await tenants.get(tenantId);
    if (!tenant) throw new AppError('unauthorized', 'The API key belongs to a tenant that no longer exists.');
    return tenant;
  }

  async function load(tenantId: string, id: string) {
    const row = await findExport(db, tenantId, id);
    if (!row) throw notFound('Export', id);
    return row;
  }

  /** The dataset must be known to the Platform and its labels must allow this tenant to export it. */
  function checkDatasetGovernance(tenant: TenantRow, datasetId: string): Promise<void> {
    return deps.datasets.assertExportable(tenant, datasetId, { pointer: '/datasetId' });
  }

  function resolveSchedule(input: ScheduleInput, at: Date): RecurringSchedule | null {
    if (input === 'on-demand') return null;
    const resolved = resolveRecurringSchedule(input, at);
    if ('field' in resolved) throw fieldError('body', `/schedule/${resolved.field}`, resolved.message);
    return resolved.schedule;
  }

  /** PATCHes the flow's schedule with If-Match; re-reads once when the etag moved meanwhile. */
  async function patchFlowSchedule(tenant: TenantRow, flowId: string, schedule: RecurringSchedule): Promise<void> {
    const platform = platforms.platformFor(tenant);
    await withPlatformProblems(async () => {
      for (let attempt = 1; ; attempt++) {
        const flow = await platform.getFlow(flowId);
        if (!flow.etag) throw new AppError('platform_error', `The Platform returned flow ${flowId} without an etag; its schedule cannot be changed safely.`);
        try {
          await platform.updateFlowSchedule(flowId, { ...flow.scheduleParams, ...platformScheduleParams(schedule, now().getTime()) }, flow.etag);
          return;
        } catch (error) {
          if (attempt < 2 && error instanceof PlatformError && error.kind === 'conflict') continue;
          throw error;
        }
      }
    });
  }

  const acceptor = createExportAcceptor({
    db,
    producer,
    logger: log,
    maxBatch: deps.config.accept.maxBatch,
    maxWaitMs: deps.config.accept.maxWaitMs,
    crashAt: deps.config.accept.crashAt,
  });
  /**
   * What accepting needs of each destination: its type, which decides the path rules (a destination
   * never changes type, so it is looked up once per process; the write re-checks that it still
   * exists), and its base connection id as last written with an export (the answer names it).
   */
  const destinationFacts = new Map<string, { type: string; baseConnectionId: string | null }>();
  const publicUrl = deps.config.http.publicUrl.replace(/\/$/, '');

  async function accept(tenantId: string, body: CreateExportBody, idempotency: IdempotencyRequest | undefined): Promise<IdempotentAnswer> {
    const at = now();
    if (body.callbackUrl) {
      const problem = await resolvedCallbackUrlProblem(body.callbackUrl, deps.config.callbacks);
      if (problem) throw fieldError('body', '/callbackUrl', problem);
    }
    const schedule = resolveSchedule(body.schedule, at);
    const tenant = await tenantOf(tenantId);
    const destinationMissing = () =>
      new AppError('not_found', `Destination ${body.destinationId} does not exist.`, {
        errors: [{ location: 'body', pointer: '/destinationId', message: 'is not one of your destinations' }],
      });
    const destinationKey = `${tenantId}\n${body.destinationId}`;
    let facts = destinationFacts.get(destinationKey);
    if (facts === undefined) {
      const destination = await findDestination(db, tenantId, body.destinationId);
      if (!destination) throw destinationMissing();
      facts = { type: destination.type, baseConnectionId: null };
      if (destinationFacts.size >= 10_000) destinationFacts.clear();
      destinationFacts.set(destinationKey, facts);
    }
    const pathProblem = destinationPathProblem(facts.type, body.path);
    if (pathProblem) throw fieldError('body', '/path', pathProblem);
    try {
      await checkDatasetGovernance(tenant, body.datasetId);
    } catch (error) {
      // A missing destination is the first thing to tell; looked up only on this unhappy path,
      // since the write below checks it anyway.
      if (!(await findDestination(db, tenantId, body.destinationId))) throw destinationMissing();
      throw error;
    }

    const input: NewExport = {
      tenantId,
      destinationId: body.destinationId,
      datasetId: body.datasetId,
      path: body.path,
      format: body.format,
      compression: body.compression,
      schedule,
      callbackUrl: body.callbackUrl ?? null,
    };
    // Stamped now, not at the request's start: the checks above may take a Platform call, and a
    // row must not appear later with a createdAt older than rows already listed.
    const acceptedAt = now();
    // Three rounds at most: the destination's base connection may have moved since last seen
    // (once in its life), or the key's record expired between the write and its replay.
    for (let round = 0; round < 3; round++) {
      const item = {
        id: randomUUID(),
        runId: randomUUID(),
        input,
        // A recurring export's runs come from its schedule; an on-demand one wants a run now.
        requestRun: schedule === null,
        now: acceptedAt,
        expectedBaseConnectionId: facts.baseConnectionId,
      };
      const answer = {
        statusCode: 202,
        body: JSON.stringify(presentExport(acceptedExportRow(item))),
        headers: { 'content-type': jsonContentType, location: `${publicUrl}/exports/${item.id}` },
      };
      const outcome = await acceptor({ ...item, idempotency: idempotency ? answers.sealed(idempotency, answer) : null });
      switch (outcome.kind) {
        case 'inserted':
          return { ...answer, replayed: false };
        case 'destination_missing':
          destinationFacts.delete(destinationKey);
          throw destinationMissing();
        case 'stale_base_connection':
          facts.baseConnectionId = outcome.baseConnectionId;
          continue;
        case 'key_taken': {
          if (!idempotency) throw new Error('an export without an Idempotency-Key found its key taken');
          const stored = await answers.replay(idempotency);
          if (stored) return stored;
          continue;
        }
      }
    }
    throw new AppError('service_unavailable', 'The export could not be accepted right now; retry with the same Idempotency-Key.', { headers: { 'retry-after': '1' } });
  }

  /** The flow of a recurring export that is past setup (watching its runs), or why not. */
  function recurringFlowOf(current: Awaited<ReturnType<typeof load>>, action: 'paused' | 'resumed'): string {
    const id = current.id;
    if (parseStoredSchedule(current.schedule) === null) throw new AppError('conflict', `Export ${id} is on-demand; only a recurring export can be ${action}.`);
    const flowId = current.flowBinding?.flowId ?? null;
    if (flowId === null || current.step !== 'watch_runs') {
      throw new AppError('conflict', `Export ${id} is ${current.status}; it can be ${action} once its flow is set up and active.`);
    }
    return flowId;
  }

  /** Flow action enable or disable; the Platform's failures become 502/503 problems. */
  async function flowAction(tenantId: string, flowId: string, op: 'enable' | 'disable'): Promise<void> {
    const platform = platforms.platformFor(await tenantOf(tenantId));
    await withPlatformProblems(() => (op === 'enable' ? platform.enableFlow(flowId) : platform.disableFlow(flowId)));
  }

  return {
    /**
     * Accepts an export: the row, its requested run and the Idempotency-Key's record (when the
     * request has one) are committed together before this returns; the queue is best effort. The
     * answer is built before the write, from the values it writes, so the key stores it as sent.
     */
    async create(tenantId: string, body: CreateExportBody, idempotency?: IdempotencyRequest): Promise<IdempotentAnswer> {
      // A refused request whose key already answered (the destination deleted, the labels changed
      // since) gets that answer: the key's first outcome stands.
      return accept(tenantId, body, idempotency).catch((error: unknown) => answers.refusedUnlessAnswered(idempotency, error));
    },

    async get(tenantId: string, id: string): Promise<ExportView> {
      return presentExport(await load(tenantId, id));
    },

    async list(tenantId: string, query: ListExportsQuery) {
      const rows = await listExports(
        db,
        tenantId,
        {
          ...(query.status ? { statuses: query.status } : {}),
          ...(query.datasetId ? { datasetId: query.datasetId } : {}),
          ...(query.destinationId ? { destinationId: query.destinationId } : {}),
          ...(query.createdAfter ? { createdAfter: new Date(query.createdAfter) } : {}),
          ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
        },
        { limit: query.limit, ...(query.cursor ? { after: query.cursor satisfies Keyset } : {}) },
      );
      const { items, nextCursor } = pageOf(rows, query.limit);
      return { items: items.map(presentExportSummary), nextCursor };
    },

    /** Another ad hoc run on the same flow; 409 while one is wanted or going on. */
    async requestRun(tenantId: string, id: string): Promise<ExportView> {
      const tenant = await tenantOf(tenantId);
      const current = await load(tenantId, id);
      if (current.status === 'cancelled') throw new AppError('conflict', `Export ${id} is cancelled; create a new export instead.`);
      if (!(rerunnableExportStatuses as readonly string[]).includes(current.status)) {
        throw new AppError('conflict', `Export ${id} is ${current.status}; wait until its current run has finished.`);
      }
      // Labels may have changed since the export was accepted.
      await checkDatasetGovernance(tenant, current.datasetId);
      const at = now();
      await db.$transaction(async (tx) => {
        if (!(await requeueForAnotherRun(tx, tenantId, id, rerunnableExportStatuses, at))) {
          throw new AppError('conflict', `Export ${id} has a run in progress; wait until it has finished.`);
        }
        await insertRequestedRun(tx, id, at);
      });
      await enqueueExportAfterCommit(producer, id, log);
      return presentExport(await load(tenantId, id));
    },

    /**
     * Stops local work now; the worker then disables the flow at the Platform. An on-demand export
     * can only be cancelled before it finished; a recurring one at any time (its flow keeps running).
     */
    async cancel(tenantId: string, id: string): Promise<ExportView> {
      const current = await load(tenantId, id);
      if (current.status !== 'cancelled') {
        const recurring = current.schedule !== null;
        const from = recurring ? exportStatuses.filter((s) => s !== 'cancelled') : activeExportStatuses;
        const cancelled = await db.$transaction((tx) => markCancelled(tx, tenantId, id, from, now()));
        if (!cancelled) {
          const latest = await load(tenantId, id);
          if (latest.status !== 'cancelled') throw new AppError('conflict', `Export ${id} already ended as ${latest.status}; there is nothing to cancel.`);
        }
      }
      await enqueueExportAfterCommit(producer, id, log);
      // A recurring export's job may be delayed for minutes (idle watching): wake it to clean up now.
      if (current.schedule !== null) void wakeJob(producer, 'export.run', { exportId: id }, log);
      return presentExport(await load(tenantId, id));
    },

    /**
     * Pauses an active recurring export: its flow is disabled at the Platform first (so no new run
     * starts), then the row moves to `paused` only from a watching status (compare-and-set).
     */
    async pause(tenantId: string, id: string): Promise<ExportView> {
      const current = await load(tenantId, id);
      if (current.status === 'paused') return presentExport(current);
      if (!(watchingStatuses as readonly string[]).includes(current.status)) {
        throw new AppError('conflict', `Export ${id} is ${current.status}; only an active recurring export can be paused.`);
      }
      const flowId = recurringFlowOf(current, 'paused');
      await flowAction(tenantId, flowId, 'disable');
      if (!(await setPaused(db, tenantId, id, now()))) {
        const latest = await load(tenantId, id);
        if (latest.status !== 'paused') throw new AppError('conflict', `Export ${id} became ${latest.status} meanwhile; it was not paused.`);
      }
      // The worker records the runs that started before the pause as they finish: wake it to look now.
      void wakeJob(producer, 'export.run', { exportId: id }, log);
      return presentExport(await load(tenantId, id));
    },

    /** Resumes a paused recurring export: its flow is enabled again, the export is `active` and watched. */
    async resume(tenantId: string, id: string): Promise<ExportView> {
      const current = await load(tenantId, id);
      if ((watchingStatuses as readonly string[]).includes(current.status)) return presentExport(current);
      if (current.status !== 'paused') throw new AppError('conflict', `Export ${id} is ${current.status}; only a paused export can be resumed.`);
      const flowId = recurringFlowOf(current, 'resumed');
      await flowAction(tenantId, flowId, 'enable');
      if (!(await setResumed(db, tenantId, id, now()))) {
        const latest = await load(tenantId, id);
        if (latest.status !== 'active') throw new AppError('conflict', `Export ${id} became ${latest.status} meanwhile; it was not resumed.`);
      }
      // Its job may be delayed for minutes (idle watching): wake it rather than wait.
      void wakeJob(producer, 'export.run', { exportId: id }, log);
      return presentExport(await load(tenantId, id));
    },

    /** Changes a recurring export's schedule, at the Platform first (PATCH with If-Match) when its flow exists. */
    async updateSchedule(tenantId: string, id: string, body: UpdateExportBody): Promise<ExportView> {
      const tenant = await tenantOf(tenantId);
      const current = await load(tenantId, id);
      const stored = parseStoredSchedule(current.schedule);
      if (!stored) {
        throw new AppError('unprocessable', `Export ${id} is on-demand; only a recurring export has a schedule to change.`, {
          errors: [{ location: 'body', pointer: '/schedule', message: 'the export is on-demand' }],
        });
      }
      if (current.status === 'cancelled') throw new AppError('conflict', `Export ${id} is cancelled; its schedule cannot change.`);
      if (current.status === 'ended' && body.schedule.endAt === undefined && stored.endAt !== null && Date.parse(stored.endAt) <= now().getTime()) {
        throw fieldError('body', '/schedule/endAt', `export ${id} ended at its endAt (${stored.endAt}); give a later endAt to start it again`);
      }
      const resolved = resolveSchedule(
        {
          every: body.schedule.every ?? stored.every,
          startAt: body.schedule.startAt ?? stored.startAt,
          ...(body.schedule.endAt !== undefined ? { endAt: body.schedule.endAt } : stored.endAt ? { endAt: stored.endAt } : {}),
          // A new cadence without a mode takes that cadence's default mode.
          exportMode: body.schedule.exportMode ?? (body.schedule.every === undefined ? stored.exportMode : undefined),
        },
        now(),
      );
      if (!resolved) throw new Error('a recurring schedule resolved to on-demand');
      // Only a startAt given now is clamped to now; the stored one is when the schedule began.
      const schedule = body.schedule.startAt === undefined ? { ...resolved, startAt: stored.startAt } : resolved;

      const flowIdBefore = current.flowBinding?.flowId ?? null;
      if (flowIdBefore) await patchFlowSchedule(tenant, flowIdBefore, schedule);
      if (!(await updateSchedule(db, tenantId, id, schedule))) {
        throw new AppError('conflict', `Export ${id} was cancelled meanwhile; its schedule was not changed.`);
      }
      // The worker may have created the flow, with the old schedule, while this request ran.
      const after = await load(tenantId, id);
      const flowIdAfter = after.flowBinding?.flowId ?? null;
      if (flowIdAfter && flowIdAfter !== flowIdBefore) await patchFlowSchedule(tenant, flowIdAfter, schedule);
      // An ended export given a later end (the schedule resolved above ends in the future)
      // starts again on the same flow. Adobe changes a flow's window with this same PATCH of
      // /scheduleParams (reference platform-export-api.md 2.8, destinations.yaml's
      // Update_Dataset_Schedule example), and a flow past its end that gets a later endTime runs
      // again: the worker revives parked flows that way (verify-flow.ts, test/worker/flow-expiry).
      if (after.status === 'ended' && flowIdAfter !== null && (await setReactivated(db, tenantId, id, now()))) {
        void wakeJob(producer, 'export.run', { exportId: id }, log);
        return presentExport(await load(tenantId, id));
      }
      return presentExport(after);
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;

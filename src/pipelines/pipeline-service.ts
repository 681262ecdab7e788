// Pipeline use cases behind the HTTP routes: accept (validate the whole definition, commit the
// pipeline with its steps, enqueue), read, list, cancel and retry from the failed step. The worker
// runs the steps; the two agree through the rows (see pipeline-status.ts).
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { DatasetService } from '../datasets/dataset-service.js';
import { findDestination } from '../destinations/destination-store.js';
import { destinationPathProblem } from '../exports/export-path.js';
import { AppError, fieldError, notFound } from '../errors.js';
import { resolvedCallbackUrlProblem } from '../exports/export-callback-url.js';
import type { Prisma } from '../generated/prisma/client.js';
import { pageOf, type Keyset } from '../pagination.js';
import type { JobProducer } from '../jobs/queue.js';
import { notifyPipelineStatus } from '../notifications/pipeline-notifications.js';
import { resolvedUrlProblem } from '../security/ssrf.js';
import { findTenant } from '../tenants/tenant-store.js';
import { generateWebhookSecret } from '../webhooks/standard-webhooks.js';
import { validateDefinition } from './definition-validation.js';
import type { PipelineStepDefinition } from './pipeline-definition.js';
import { destinationsNamed, mlStorageDestinations } from './destination-references.js';
import type { IdempotencyRequest } from '../security/idempotency-store.js';
import { jsonContentType, type BindAnswer, type IdempotentAnswer, type IdempotentAnswers } from '../security/idempotent-answers.js';
import { enqueuePipelineAfterCommit } from './pipeline-enqueue.js';
import { presentPipeline, presentPipelineSummary } from './pipeline-presenter.js';
import type { ListPipelinesQuery, PipelineView } from './pipeline-schemas.js';
import { isActivePipelineStatus } from './pipeline-status.js';
import { findPipeline, insertPipeline, listPipelines, markPipelineCancelled, requeueFailedPipeline } from './pipeline-store.js';

export interface PipelineServiceDeps {
  db: Db;
  producer: Pick<JobProducer, 'enqueue'>;
  secrets: SecretBox;
  datasets: Pick<DatasetService, 'assertExportable' | 'assertSourcesUsable'>;
  config: Pick<ServiceConfig, 'callbacks' | 'http'>;
  /** Idempotency-Key records written in the start's transaction (POST /pipelines is an atomic route). */
  answers: IdempotentAnswers;
  logger: Logger;
  now?: () => Date;
}

export interface StartPipelineInput {
  name: string;
  /** Raw steps: validated here, whoever sends them (POST /pipelines or a template start). */
  steps: unknown;
  callbackUrl?: string;
  mlPlatform?: { url: string; token: string };
  templateId?: string;
  parameters?: Prisma.InputJsonObject;
  /** Pointer of the steps in the request, for error messages. */
  stepsPointer?: string;
}

export function createPipelineService(deps: PipelineServiceDeps) {
  const { db, producer, secrets } = deps;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'pipeline-service' });
  const publicUrl = deps.config.http.publicUrl.replace(/\/$/, '');

  async function load(tenantId: string, id: string) {
    const row = await findPipeline(db, tenantId, id);
    if (!row) throw notFound('Pipeline', id);
    return row;
  }

  /**
   * Every destination a step names — directly or in a `{destinationId, path}` storage location —
   * must be one of the tenant's (another tenant's answers 404, as if it did not exist), and storage
   * handed to an ML job must have signed URLs.
   */
  async function checkDestinations(tenantId: string, steps: readonly PipelineStepDefinition[], base: string): Promise<void> {
    const types = new Map<string, string>();
    for (const named of destinationsNamed(steps)) {
      const pointer = `${base}/${named.pointer}`;
      const destination = await findDestination(db, tenantId, named.destinationId);
      if (!destination) {
        throw new AppError('not_found', `Destination ${named.destinationId} does not exist.`, {
          errors: [{ location: 'body', pointer, message: 'is not one of your destinations' }],
        });
      }
      types.set(destination.id, destination.type);
    }
    for (const handed of mlStorageDestinations(steps)) {
      if (types.get(handed.destinationId) === 'sftp') {
        throw fieldError('body', `${base}/${handed.pointer}`, 'is an SFTP destination, which has no signed URLs to hand an ML job; use a DLZ, S3, GCS, Azure Blob or ADLS Gen2 destination');
      }
    }
    for (const [index, step] of steps.entries()) {
      if (step.kind !== 'export' && step.kind !== 'activate') continue;
      const pathProblem = destinationPathProblem(types.get(step.destinationId) ?? '', step.path);
      if (pathProblem) throw fieldError('body', `${base}/${index}/path`, pathProblem);
    }
  }

  /**
   * The governance check POST /exports makes, for every step that reads a dataset now: an export
   * step naming a dataset (a reference to an earlier step's output is checked when it runs), and a
   * featurization whose SQL reads a dataset labelled C9 or C12. 422 naming the step and the labels.
   */
  async function checkGovernance(tenantId: string, steps: readonly PipelineStepDefinition[], base: string): Promise<void> {
    const tenant = await findTenant(db, tenantId);
    if (!tenant) throw new AppError('unauthorized', 'The API key belongs to a tenant that no longer exists.');
    for (const [index, step] of steps.entries()) {
      const members = { step: step.name };
      if (step.kind === 'export' && typeof step.datasetId === 'string') {
        await deps.datasets.assertExportable(tenant, step.datasetId, { pointer: `${base}/${index}/datasetId`, members });
      } else if (step.kind === 'featurize') {
        await deps.datasets.assertSourcesUsable(tenant, step.sql, { pointer: `${base}/${index}/sql`, members });
      }
    }
  }

  /** One attempt at starting a pipeline; `bind` stores the answer for the key in its transaction. */
  async function startOnce(tenantId: string, input: StartPipelineInput, bind: BindAnswer): Promise<IdempotentAnswer> {
    const base = input.stepsPointer ?? '/steps';
      const definition = validateDefinition(input.steps, base);
      if (input.callbackUrl) {
        const problem = await resolvedCallbackUrlProblem(input.callbackUrl, deps.config.callbacks);
        if (problem) throw fieldError('body', '/callbackUrl', problem);
      }
      if (input.mlPlatform) {
        const problem = await resolvedUrlProblem(input.mlPlatform.url, deps.config.callbacks);
        if (problem) throw fieldError('body', '/mlPlatform/url', problem);
      }
      await checkDestinations(tenantId, definition.steps, base);
      await checkGovernance(tenantId, definition.steps, base);

      const callbackSecret = input.callbackUrl ? generateWebhookSecret() : undefined;
      const at = now();
      const row = await db.$transaction(async (tx) => {
        const created = await insertPipeline(
          tx,
          {
            tenantId,
            templateId: input.templateId ?? null,
            name: input.name,
            definition,
            parameters: input.parameters ?? null,
            callbackUrl: input.callbackUrl ?? null,
            callbackSecretSealed: callbackSecret ? secrets.seal(callbackSecret) : null,
            mlPlatformUrl: input.mlPlatform?.url.replace(/\/$/, '') ?? null,
            mlPlatformTokenSealed: input.mlPlatform ? secrets.seal(input.mlPlatform.token) : null,
          },
          at,
        );
        await notifyPipelineStatus(tx, created, 'queued', at);
        const stored = await findPipeline(tx, tenantId, created.id);
        if (!stored) throw new Error('a pipeline inserted in this transaction is missing');
        const view = presentPipeline(stored);
        const answer = {
          statusCode: 202,
          body: JSON.stringify(callbackSecret ? { ...view, callbackSecret } : view),
          headers: { 'content-type': jsonContentType, location: `${publicUrl}/pipelines/${created.id}` },
        };
        await bind(tx, answer);
        return { id: created.id, answer };
      });
      await enqueuePipelineAfterCommit(producer, row.id, log);
      return { ...row.answer, replayed: false };
  }

  return {
    /**
     * Accepts a pipeline: committed (with its steps, and the Idempotency-Key's record with the
     * answer when the request has a key) before this returns; the queue is best effort.
     */
    start(tenantId: string, input: StartPipelineInput, idempotency?: IdempotencyRequest): Promise<IdempotentAnswer> {
      return deps.answers.createOnce(idempotency, (bind) => startOnce(tenantId, input, bind));
    },

    async get(tenantId: string, id: string): Promise<PipelineView> {
      return presentPipeline(await load(tenantId, id));
    },

    async list(tenantId: string, query: ListPipelinesQuery) {
      const rows = await listPipelines(
        db,
        tenantId,
        {
          ...(query.status ? { statuses: query.status } : {}),
          ...(query.templateId ? { templateId: query.templateId } : {}),
          ...(query.createdAfter ? { createdAfter: new Date(query.createdAfter) } : {}),
          ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
        },
        { limit: query.limit, ...(query.cursor ? { after: query.cursor satisfies Keyset } : {}) },
      );
      const { items, nextCursor } = pageOf(rows, query.limit);
      return { items: items.map(presentPipelineSummary), nextCursor };
    },

    /** Stops the pipeline now; the worker then cancels the current step's external work. */
    async cancel(tenantId: string, id: string): Promise<PipelineView> {
      const current = await load(tenantId, id);
      if (current.status !== 'cancelled') {
        const at = now();
        const cancelled = await db.$transaction(async (tx) => {
          if (!(await markPipelineCancelled(tx, tenantId, id, at))) return false;
          await notifyPipelineStatus(tx, current, 'cancelled', at);
          return true;
        });
        if (!cancelled) {
          const latest = await load(tenantId, id);
          if (latest.status !== 'cancelled') throw new AppError('conflict', `Pipeline ${id} already ended as ${latest.status}; there is nothing to cancel.`);
        }
      }
      await enqueuePipelineAfterCommit(producer, id, log);
      return presentPipeline(await load(tenantId, id));
    },

    /**
     * Runs an ended pipeline (succeeded, failed or cancelled) again from its first step, as a new
     * pipeline with the same definition, callback (and its signing secret) and ML platform. The
     * definition is checked again: a destination deleted since is a 404 naming the step.
     */
    async rerun(tenantId: string, id: string): Promise<PipelineView> {
      const current = await load(tenantId, id);
      if (isActivePipelineStatus(current.status)) {
        throw new AppError('conflict', `Pipeline ${id} is ${current.status}; wait for it to end (or cancel it) before running it again.`);
      }
      const definition = validateDefinition((current.definition as { steps?: unknown }).steps, '/definition/steps');
      await checkDestinations(tenantId, definition.steps, '/definition/steps');
      const at = now();
      const row = await db.$transaction(async (tx) => {
        const created = await insertPipeline(
          tx,
          {
            tenantId,
            templateId: current.templateId,
            name: current.name,
            definition,
            parameters: (current.parameters as Prisma.InputJsonObject | null) ?? null,
            callbackUrl: current.callbackUrl,
            callbackSecretSealed: current.callbackSecretSealed,
            mlPlatformUrl: current.mlPlatformUrl,
            mlPlatformTokenSealed: current.mlPlatformTokenSealed,
          },
          at,
        );
        await notifyPipelineStatus(tx, created, 'queued', at, { rerunOf: id });
        return created;
      });
      await enqueuePipelineAfterCommit(producer, row.id, log);
      return presentPipeline(await load(tenantId, row.id));
    },

    /** Runs a failed pipeline again from its failed step (earlier steps' outputs are kept). */
    async retry(tenantId: string, id: string): Promise<PipelineView> {
      const current = await load(tenantId, id);
      if (current.status !== 'failed') throw new AppError('conflict', `Pipeline ${id} is ${current.status}; only a failed pipeline can be retried.`);
      const at = now();
      const restartedAt = await db.$transaction(async (tx) => {
        const index = await requeueFailedPipeline(tx, tenantId, id, at);
        if (index === null) return null;
        const step = current.steps.find((s) => s.index === index);
        await notifyPipelineStatus(tx, current, 'queued', at, { retryFrom: step?.name ?? null });
        return index;
      });
      if (restartedAt === null) throw new AppError('conflict', `Pipeline ${id} changed meanwhile; it can no longer be retried.`);
      await enqueuePipelineAfterCommit(producer, id, log);
      return presentPipeline(await load(tenantId, id));
    },
  };
}

export type PipelineService = ReturnType<typeof createPipelineService>;

// Inbound ML platform callbacks (POST /webhooks/ml/:pipelineId/:stepName). Authenticated by the
// step's own Standard Webhooks secret (signature over the raw body, ±5 minutes, replayed ids
// rejected) or, for Databricks job notifications, by the configured basic or bearer credentials
// (deduplicated on run id and event type). The body is never trusted for the outcome: a valid
// callback only checks that it is about this step's run, records when it came and wakes the
// pipeline, whose ml step re-fetches runs/get before moving on.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { JobProducer } from '../jobs/queue.js';
import { wakePipeline } from './pipeline-wake.js';
import { checkDatabricksAuth, type DatabricksWebhookCredentials } from '../webhooks/databricks-auth.js';
import { postgresReplayGuard } from '../webhooks/receipt-store.js';
import { verifyWithReplayGuard, WEBHOOK_SIGNATURE_HEADER, type WebhookHeaders } from '../webhooks/standard-webhooks.js';

export interface MlCallbackDeps {
  db: Db;
  secrets: SecretBox;
  producer: Pick<JobProducer, 'queue' | 'enqueue'>;
  databricks: DatabricksWebhookCredentials;
  logger: Logger;
  now?: () => number;
}

export interface MlCallback {
  pipelineId: string;
  stepName: string;
  headers: WebhookHeaders;
  rawBody: Buffer;
}

export type MlCallbackResult = { status: 'accepted' | 'ignored'; runId: number | null };

const SignedEventSchema = z.looseObject({ type: z.string(), data: z.looseObject({ run_id: z.coerce.number().int() }) });
const DatabricksNotificationSchema = z.looseObject({ event_type: z.string(), run: z.looseObject({ run_id: z.coerce.number().int() }) });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const unauthorized = (detail: string) => new AppError('unauthorized', detail, { headers: { 'www-authenticate': 'Basic realm="ml-callbacks"' } });

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    throw new AppError('validation_error', 'The callback body is not JSON.', { errors: [{ location: 'body', pointer: '/', message: 'is not JSON' }] });
  }
}

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

export function createMlCallbackService(deps: MlCallbackDeps) {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'ml-callbacks' });

  return {
    async receive(callback: MlCallback): Promise<MlCallbackResult> {
      // Credentials first: without them nothing is looked up (nor is a pipeline's existence revealed).
      const signed = headerValue(callback.headers, WEBHOOK_SIGNATURE_HEADER) !== undefined;
      if (!signed) {
        const auth = checkDatabricksAuth(headerValue(callback.headers, 'authorization'), deps.databricks);
        if (auth === 'missing') throw unauthorized('Sign the callback (Standard Webhooks) or send the Databricks notification credentials.');
        if (auth !== 'ok') throw unauthorized(auth === 'not_configured' ? 'Databricks notifications are not configured (ML_WEBHOOK_BASIC_AUTH or ML_WEBHOOK_BEARER_TOKEN).' : 'The callback credentials are wrong.');
      }
      const step = UUID.test(callback.pipelineId)
        ? await deps.db.pipelineStep.findFirst({
            where: { pipelineId: callback.pipelineId, name: callback.stepName, kind: 'ml' },
            include: { pipeline: { select: { id: true, status: true } } },
          })
        : null;
      if (step === null) throw new AppError('not_found', `Pipeline ${callback.pipelineId} has no ml step ${callback.stepName}.`);
      const source = `ml:${callback.pipelineId}:${callback.stepName}`;

      let runId: number;
      if (signed) {
        if (step.webhookSecretSealed === null) throw unauthorized('This step expects no signed callbacks.');
        const verified = await verifyWithReplayGuard({
          headers: callback.headers,
          rawBody: callback.rawBody,
          secrets: deps.secrets.open(step.webhookSecretSealed),
          guard: postgresReplayGuard(deps.db, source, now),
          now: now(),
        });
        if (!verified.ok) {
          log.warn({ pipelineId: callback.pipelineId, step: callback.stepName, reason: verified.reason }, 'ML callback refused');
          if (verified.reason === 'replayed') throw new AppError('conflict', `The callback was refused: ${verified.message}.`, { reason: verified.reason });
          throw new AppError('unauthorized', `The callback was refused: ${verified.message}.`, { reason: verified.reason });
        }
        const event = SignedEventSchema.safeParse(parseJson(callback.rawBody));
        if (!event.success) throw new AppError('validation_error', 'The callback is not a run event (`data.run_id` missing).');
        runId = event.data.data.run_id;
      } else {
        const notification = DatabricksNotificationSchema.safeParse(parseJson(callback.rawBody));
        if (!notification.success) throw new AppError('validation_error', 'The callback is not a Databricks job notification (`run.run_id` missing).');
        runId = notification.data.run.run_id;
        const first = await postgresReplayGuard(deps.db, source, now).remember(`${runId}:${notification.data.event_type}`, now());
        if (!first) throw new AppError('conflict', `Notification ${notification.data.event_type} of run ${runId} was already received.`, { reason: 'replayed' });
      }

      const savedRunId = (step.externalIds as Record<string, unknown> | null)?.mlRunId;
      if (typeof savedRunId === 'number' && savedRunId !== runId) {
        throw new AppError('unprocessable', `Run ${runId} is not the run of this step (${savedRunId}).`);
      }
      if (!['queued', 'running', 'waiting'].includes(step.pipeline.status) || !['running', 'waiting', 'pending'].includes(step.state)) {
        log.info({ pipelineId: callback.pipelineId, step: step.name, runId }, 'ML callback for a step no longer waiting; ignored');
        return { status: 'ignored', runId };
      }
      await deps.db.pipelineStep.update({ where: { id: step.id }, data: { lastCallbackAt: new Date(now()) } });
      // Answered at once; the wake (and its short retries while the job is active) runs behind.
      void wakePipeline(deps.db, deps.producer, callback.pipelineId, log).catch((err: unknown) => log.warn({ err }, 'wake failed'));
      log.info({ pipelineId: callback.pipelineId, step: step.name, runId }, 'ML callback accepted; the pipeline re-fetches the run status');
      return { status: 'accepted', runId };
    },
  };
}

export type MlCallbackService = ReturnType<typeof createMlCallbackService>;

-- Closed vocabularies: every status, step, state, kind and outcome column accepts only the values
-- the code knows (src/exports/export-status.ts, src/exports/worker/export-model.ts,
-- src/pipelines/pipeline-status.ts, src/pipelines/pipeline-definition.ts,
-- src/pipelines/schedules/schedule-schemas.ts, src/notifications/outbox.ts,
-- src/security/idempotency-store.ts). CHECK constraints rather than Postgres enums: adding a value
-- later is one DROP/ADD here instead of an ALTER TYPE that cannot run inside a transaction.
-- test/db/closed-vocabularies.test.ts proves each list equals its TypeScript union.

-- AddCheckConstraint
ALTER TABLE "exports" ADD CONSTRAINT "exports_status_check" CHECK ("status" IN ('queued', 'running', 'waiting_for_platform', 'active', 'paused', 'succeeded', 'ended', 'failed', 'cancelled', 'timed_out'));
ALTER TABLE "exports" ADD CONSTRAINT "exports_step_check" CHECK ("step" IN ('pending', 'governance', 'base_connection', 'source_connection', 'target_connection', 'flow', 'verify_flow', 'trigger_run', 'poll_run', 'list_files', 'watch_runs', 'done', 'cancelled'));
ALTER TABLE "export_runs" ADD CONSTRAINT "export_runs_state_check" CHECK ("state" IN ('requested', 'triggering', 'in_progress', 'succeeded', 'failed', 'timed_out', 'cancelled'));
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_status_check" CHECK ("status" IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE "pipeline_steps" ADD CONSTRAINT "pipeline_steps_state_check" CHECK ("state" IN ('pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelling', 'cancelled'));
ALTER TABLE "pipeline_steps" ADD CONSTRAINT "pipeline_steps_kind_check" CHECK ("kind" IN ('featurize', 'export', 'ml', 'ingest', 'audience', 'activate'));
ALTER TABLE "pipeline_schedules" ADD CONSTRAINT "pipeline_schedules_status_check" CHECK ("status" IN ('active', 'paused'));
ALTER TABLE "pipeline_schedule_occurrences" ADD CONSTRAINT "pipeline_schedule_occurrences_outcome_check" CHECK ("outcome" IN ('started', 'skipped_overlap', 'not_started'));
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_state_check" CHECK ("state" IN ('pending', 'delivered', 'failed', 'gone'));
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_resource_type_check" CHECK ("resource_type" IN ('export', 'pipeline'));
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_state_check" CHECK ("state" IN ('in_progress', 'done'));

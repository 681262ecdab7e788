-- Pipeline schedules: a pipeline or a template run at cron or every-N-hours instants; each instant
-- recorded once (its key is the schedule and the instant), each started run names its schedule.

-- AlterTable
ALTER TABLE "pipelines" ADD COLUMN "schedule_id" UUID;

-- CreateTable
CREATE TABLE "pipeline_schedules" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "source_kind" TEXT NOT NULL,
    "source_pipeline_id" UUID,
    "template_id" UUID,
    "parameters" JSONB,
    "cron" TEXT,
    "time_zone" TEXT,
    "every_hours" INTEGER,
    "start_at" TIMESTAMPTZ(3) NOT NULL,
    "end_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "active_since" TIMESTAMPTZ(3) NOT NULL,
    "destination_ids" UUID[] NOT NULL DEFAULT ARRAY[]::UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pipeline_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipeline_schedule_occurrences" (
    "schedule_id" UUID NOT NULL,
    "instant" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "pipeline_id" UUID,
    "detail" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipeline_schedule_occurrences_pkey" PRIMARY KEY ("schedule_id","instant")
);

-- CreateIndex
CREATE INDEX "pipelines_schedule_id_status_idx" ON "pipelines"("schedule_id", "status");

-- CreateIndex
CREATE INDEX "pipeline_schedules_tenant_id_created_at_id_idx" ON "pipeline_schedules"("tenant_id", "created_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "pipelines" ADD CONSTRAINT "pipelines_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "pipeline_schedules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_schedules" ADD CONSTRAINT "pipeline_schedules_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "pipeline_schedule_occurrences" ADD CONSTRAINT "pipeline_schedule_occurrences_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "pipeline_schedules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

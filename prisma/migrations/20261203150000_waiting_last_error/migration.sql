-- AlterTable
ALTER TABLE "exports" ADD COLUMN     "last_error" JSONB;

-- AlterTable
ALTER TABLE "pipeline_steps" ADD COLUMN     "last_error" JSONB;

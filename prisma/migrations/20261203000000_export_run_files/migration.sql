-- Export runs name what landed: the run's folder at the destination and every file in it.

-- AlterTable
ALTER TABLE "export_runs" ADD COLUMN "folder_uri" TEXT,
ADD COLUMN "files_listed_at" TIMESTAMPTZ(3),
ADD COLUMN "files_error" TEXT;

-- CreateTable
CREATE TABLE "export_run_files" (
    "run_id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "uri" TEXT NOT NULL,
    "size" BIGINT NOT NULL,

    CONSTRAINT "export_run_files_pkey" PRIMARY KEY ("run_id","path")
);

-- AddForeignKey
ALTER TABLE "export_run_files" ADD CONSTRAINT "export_run_files_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "export_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

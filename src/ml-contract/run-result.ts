// The JSON a job hands back through `dbutils.notebook.exit(...)` (Databricks' runs/get-output
// `notebook_output.result`), as the ML job contract defines it (docs/ml-platform.md). Only
// `scores_uri` is required; it must be the `scores_uri` the job was given.
import { z } from 'zod';

export const RunResultSchema = z.looseObject({
  scores_uri: z.string().min(1),
  scored_rows: z.number().int().min(0).optional(),
  auc_holdout: z.number().nullable().optional(),
  auc_train: z.number().nullable().optional(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

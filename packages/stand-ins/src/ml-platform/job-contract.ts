// The ML job contract as the job reads it (docs/ml-platform.md, "The job's parameters" and "The
// scores file"): what a data team's Databricks notebook parses from `job_parameters` and writes
// back. Written from the document, as such a notebook would be, not imported from the service:
// test/ml-platform/job-contract.test.ts proves the service's side and this one agree.
import { z } from 'zod';

/** One training file: its URI, a signed HTTPS GET URL for it, and its size in bytes. */
const TrainingFileSchema = z.object({
  uri: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  size: z.number().int().min(0),
});
export type TrainingFile = z.infer<typeof TrainingFileSchema>;

/** The document `training_files_url` serves when the list is too long to pass inline. */
export const TrainingFilesDocumentSchema = z.object({ files: z.array(TrainingFileSchema).min(1) });

/** Job parameters are strings (Databricks): structured values arrive as JSON text. */
const jsonText = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.infer<T> => {
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: z.prettifyError(parsed.error) });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON text' });
    }
    return z.NEVER;
  });

const httpUrl = z.url({ protocol: /^https?$/ });

/** The storage parameters of a run, validated. */
export const StorageJobParametersSchema = z.object({
  training_uri: z.string().min(1),
  training_files: jsonText(z.array(TrainingFileSchema).min(1)).optional(),
  training_files_url: httpUrl.optional(),
  scores_uri: z.string().min(1),
  scores_upload_url: httpUrl,
  scores_upload_headers: jsonText(z.record(z.string(), z.string())).default({}),
  credentials_expire_at: z.iso.datetime(),
});

/** One scored user: the training set's id column and the model's probability of the label. */
export interface ScoreLine {
  userId: string;
  propensity: number;
}

/** A scores file line: NDJSON, newline-terminated, exactly the two contract fields. */
export function encodeScoreLine(line: ScoreLine): string {
  return `${JSON.stringify({ userId: line.userId, propensity: line.propensity })}\n`;
}

// The ML job contract, as both sides read it (docs/ml-platform.md): what the service passes a
// Databricks job in `run-now`'s `job_parameters`. Databricks passes job parameters as strings, so
// structured values are JSON text. The job never gets storage keys: it gets the URIs of what it
// reads and writes (for a workspace that reaches the storage by its own means) plus signed URLs
// scoped to exactly those objects that expire at `credentials_expire_at`.
import { z } from 'zod';

/** One training file: its URI, a signed HTTPS GET URL for it, and its size in bytes. */
export const TrainingFileSchema = z.object({
  uri: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  size: z.number().int().min(0),
});
export type TrainingFile = z.infer<typeof TrainingFileSchema>;

/** The document `training_files_url` serves when the list is too long to pass inline. */
export const TrainingFilesDocumentSchema = z.object({ files: z.array(TrainingFileSchema).min(1) });

/**
 * Databricks limits the JSON of a run's parameters to 10,000 bytes (documented for notebook_params
 * and jar_params; assumed for job_parameters too). Above this the file list goes by reference.
 */
export const INLINE_PARAMETERS_LIMIT_BYTES = 10_000;

/** The storage parameters of a run, before they are turned into strings. */
export interface StorageParameters {
  trainingUri: string;
  /** Inline list, or a signed URL of a TrainingFilesDocument (exactly one of the two). */
  training: { files: TrainingFile[] } | { filesUrl: string };
  scoresUri: string;
  scoresUploadUrl: string;
  /** Headers the upload needs (Azure's PUT Blob wants `x-ms-blob-type: BlockBlob`). */
  scoresUploadHeaders: Record<string, string>;
  expiresAt: Date;
}

export function storageJobParameters(p: StorageParameters): Record<string, string> {
  return {
    training_uri: p.trainingUri,
    ...('files' in p.training ? { training_files: JSON.stringify(p.training.files) } : { training_files_url: p.training.filesUrl }),
    scores_uri: p.scoresUri,
    scores_upload_url: p.scoresUploadUrl,
    scores_upload_headers: JSON.stringify(p.scoresUploadHeaders),
    credentials_expire_at: p.expiresAt.toISOString(),
  };
}

const jsonText = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.infer<T> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON text' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: z.prettifyError(parsed.error) });
      return z.NEVER;
    }
    return parsed.data;
  });

/** The storage parameters as a job receives them (strings), validated. */
export const StorageJobParametersSchema = z.object({
  training_uri: z.string().min(1),
  training_files: jsonText(z.array(TrainingFileSchema).min(1)).optional(),
  training_files_url: z.url({ protocol: /^https?$/ }).optional(),
  scores_uri: z.string().min(1),
  scores_upload_url: z.url({ protocol: /^https?$/ }),
  scores_upload_headers: jsonText(z.record(z.string(), z.string())).default({}),
  credentials_expire_at: z.iso.datetime(),
});

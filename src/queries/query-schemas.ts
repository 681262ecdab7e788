// HTTP schemas of POST /queries/preview: one query in, at most 100 rows out, typed columns.
import { z } from 'zod';
import { previewLimit } from './preview-sql.js';

export const PreviewRequestSchema = z
  .object({
    sql: z
      .string()
      .min(1)
      .max(100_000)
      .describe('One query (SELECT, WITH … SELECT); table names as GET /datasets shows them in `tableName`'),
  })
  .strict()
  .meta({ id: 'QueryPreviewRequest' });

export const PreviewColumnTypeSchema = z.enum(['string', 'integer', 'number', 'boolean', 'timestamp', 'date', 'json', 'other']);
export type PreviewColumnType = z.infer<typeof PreviewColumnTypeSchema>;

export const PreviewResponseSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: PreviewColumnTypeSchema })),
    rows: z.array(z.record(z.string(), z.unknown())).describe('Row objects keyed by column name; timestamps as ISO 8601'),
    rowCount: z.number().int().min(0),
    truncated: z.boolean().describe(`True when the query has more than ${previewLimit} rows (only the first ${previewLimit} are shown)`),
    limit: z.literal(previewLimit),
  })
  .meta({ id: 'QueryPreview' });
export type PreviewResponse = z.infer<typeof PreviewResponseSchema>;

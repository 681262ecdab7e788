// HTTP schemas of the dataset routes: the tenant's exportable datasets as the Platform reports
// them, with their usage labels and what governance makes of them for this tenant.
import { z } from 'zod';

/** A Catalog dataset id (24 hex characters on the Platform; kept lenient but path-safe). */
export const DatasetIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a Platform dataset id')
  .describe('Platform (Catalog) dataset id');

export const DatasetLabelsSchema = z
  .object({
    dataset: z.array(z.string()).describe('Labels on the whole dataset, e.g. C9'),
    fields: z.array(z.object({ schemaPath: z.string().nullable(), labels: z.array(z.string()) })).describe('Labels on parts of its schema'),
  })
  .meta({ id: 'DatasetLabels' });

export const GovernanceSchema = z
  .object({
    exportable: z.boolean().describe('Whether this tenant may export the dataset'),
    refusedLabels: z.array(z.string()),
    reason: z.string().nullable(),
  })
  .meta({ id: 'DatasetGovernance' });

export const DatasetFieldSchema = z
  .object({
    path: z.string().describe('Dotted path as SQL addresses it, e.g. `_cmle.userid`'),
    type: z.string().describe('XDM type: string, integer, number, boolean, array, …'),
    format: z.string().nullable().describe('JSON Schema format, e.g. date-time'),
  })
  .meta({ id: 'DatasetField' });

export const DatasetSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    description: z.string().nullable(),
    tableName: z
      .string()
      .nullable()
      .describe("The Query Service table name to use in SQL (Catalog tag `adobe/pqs/table`); null when the Platform gives none"),
    fields: z
      .array(DatasetFieldSchema)
      .nullable()
      .describe("The fields of the dataset's schema as the Schema Registry resolves it; null when the credential cannot read the schema"),
    labels: DatasetLabelsSchema,
    governance: GovernanceSchema,
  })
  .meta({ id: 'Dataset' });
export type Dataset = z.infer<typeof DatasetSchema>;

export const DatasetPageSchema = z.object({ items: z.array(DatasetSchema), nextCursor: z.string().nullable() }).meta({ id: 'DatasetPage' });

/** The Platform pages this list by offset; the cursor hides that offset. */
export const DatasetCursorSchema = z
  .string()
  .max(100)
  .transform((value, ctx) => {
    const start = Number(Buffer.from(value, 'base64url').toString('utf8').replace(/^start:/, ''));
    if (!Number.isSafeInteger(start) || start < 0 || !Buffer.from(value, 'base64url').toString('utf8').startsWith('start:')) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    }
    return start;
  })
  .describe("Opaque cursor from the previous page's `nextCursor`.");

export const encodeDatasetCursor = (start: number) => Buffer.from(`start:${start}`).toString('base64url');

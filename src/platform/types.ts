// What the service sends to and reads from Adobe Experience Platform. Entity schemas are lenient
// (loose objects, only the fields we use are required): the Platform adds fields over time and a
// new field must never break an export.
import { z } from 'zod';

/** One Adobe credential plus the org and sandbox it acts in. */
export interface PlatformTarget {
  /** IMS base URL, e.g. https://ims-na1.adobelogin.com (token endpoint is `/ims/token/v3`). */
  imsUrl: string;
  /** Platform gateway base URL, e.g. https://platform.adobe.io. */
  platformUrl: string;
  orgId: string;
  sandbox: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

/** IMS token response; `expires_in` is in seconds. */
export const ImsTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});
export type ImsTokenResponse = z.infer<typeof ImsTokenResponseSchema>;

const SpecRefSchema = z.looseObject({ id: z.string(), version: z.string().optional() });

/** `201 {"id","etag"}` from every create, PATCH and flow action. */
export const EntityRefSchema = z.looseObject({ id: z.string().min(1), etag: z.string().optional() });
export type EntityRef = z.infer<typeof EntityRefSchema>;

export const BaseConnectionSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  etag: z.string().optional(),
  connectionSpec: SpecRefSchema.optional(),
  state: z.string().optional(),
  /** A partial view: the Platform leaves secret params out of GET answers. */
  auth: z.looseObject({ specName: z.string().optional() }).nullable().optional(),
});
export type BaseConnection = z.infer<typeof BaseConnectionSchema>;

export const SourceConnectionSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  etag: z.string().optional(),
  baseConnectionId: z.string().optional(),
  connectionSpec: SpecRefSchema.optional(),
  params: z
    .looseObject({
      datasets: z.array(z.looseObject({ dataSetId: z.string(), name: z.string().optional() })).optional(),
    })
    .optional(),
});
export type SourceConnection = z.infer<typeof SourceConnectionSchema>;

export const TargetConnectionSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  etag: z.string().optional(),
  baseConnectionId: z.string().optional(),
  connectionSpec: SpecRefSchema.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type TargetConnection = z.infer<typeof TargetConnectionSchema>;

export const ScheduleParamsSchema = z.looseObject({
  startTime: z.number().optional(),
  endTime: z.number().optional(),
  interval: z.union([z.number(), z.string()]).optional(),
  timeUnit: z.string().optional(),
  exportMode: z.string().optional(),
  folderNameTemplate: z.string().optional(),
});
export type ScheduleParams = z.infer<typeof ScheduleParamsSchema>;

export const FlowSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  etag: z.string().optional(),
  /** "enabled" | "disabled"; kept as a string because casing varies. */
  state: z.string().optional(),
  flowSpec: SpecRefSchema.optional(),
  sourceConnectionIds: z.array(z.string()).default([]),
  targetConnectionIds: z.array(z.string()).default([]),
  scheduleParams: ScheduleParamsSchema.optional(),
  /** Epoch ms. */
  createdAt: z.number().optional(),
  lastRunDetails: z.looseObject({ id: z.string().optional(), state: z.string().optional() }).optional(),
});
export type Flow = z.infer<typeof FlowSchema>;

const RunErrorSchema = z.looseObject({ code: z.string().optional(), message: z.string().optional() });

export const RunMetricsSchema = z.looseObject({
  durationSummary: z
    .looseObject({ startedAtUTC: z.number().optional(), completedAtUTC: z.number().optional() })
    .optional(),
  sizeSummary: z.looseObject({ inputBytes: z.number().optional(), outputBytes: z.number().optional() }).optional(),
  recordSummary: z
    .looseObject({
      inputRecordCount: z.number().optional(),
      outputRecordCount: z.number().optional(),
      failedRecordCount: z.number().optional(),
      skippedRecordCount: z.number().optional(),
    })
    .optional(),
  fileSummary: z
    .looseObject({ inputFileCount: z.number().optional(), outputFileCount: z.number().optional() })
    .optional(),
  statusSummary: z
    .looseObject({ status: z.string().optional(), errors: z.array(RunErrorSchema).optional() })
    .optional(),
});
export type RunMetrics = z.infer<typeof RunMetricsSchema>;

export const RunSchema = z.looseObject({
  id: z.string(),
  flowId: z.string().optional(),
  createdAt: z.number().optional(),
  updatedAt: z.number().optional(),
  etag: z.string().optional(),
  metrics: RunMetricsSchema.optional(),
});
export type Run = z.infer<typeof RunSchema>;

/** How a run ended, from `metrics.statusSummary.status` compared case-insensitively. */
export type RunOutcome = 'in_progress' | 'success' | 'failed';

/** A Catalog dataset; Catalog answers `{ "<id>": dataset }`, the id is put back in by the client. */
export const CatalogDatasetSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  imsOrg: z.string().optional(),
  created: z.number().optional(),
  updated: z.number().optional(),
  schemaRef: z.looseObject({ id: z.string(), contentType: z.string().optional() }).optional(),
  tags: z.record(z.string(), z.array(z.string())).optional(),
});
export type CatalogDataset = z.infer<typeof CatalogDatasetSchema> & { id: string };

/** One entry of the "exportable datasets" list (reference 2.1). */
export const ExportableDatasetSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  aspect: z.string().optional(),
  state: z.string().optional(),
  fileDescription: z.looseObject({}).optional(),
});
export type ExportableDataset = z.infer<typeof ExportableDatasetSchema>;

export const ExportableDatasetPageSchema = z.looseObject({
  items: z.array(ExportableDatasetSchema).default([]),
  pageInfo: z
    .looseObject({
      start: z.number().optional(),
      end: z.number().optional(),
      total: z.number().optional(),
      hasNext: z.boolean().optional(),
    })
    .optional(),
});
export type ExportableDatasetPage = z.infer<typeof ExportableDatasetPageSchema>;

/** The body of a labels entity (documented both bare and keyed by `AEP:dataset:<id>`). */
export const LabelPayloadSchema = z.looseObject({
  imsOrg: z.string().optional(),
  labels: z.array(z.string()).default([]),
  optionalLabels: z
    .array(z.looseObject({ option: z.looseObject({}).optional(), labels: z.array(z.string()).default([]) }))
    .default([]),
});

export interface DatasetLabels {
  /** Dataset-wide labels, e.g. ["C9", "PSPD"]. */
  labels: string[];
  /** Labels attached to parts of the schema (field paths). */
  fieldLabels: { schemaPath?: string; labels: string[] }[];
  /** Needed as If-Match to change labels later. */
  etag?: string;
}

/** The ad hoc dataset run answer: one status URL per (flow, dataset). */
export const AdhocRunResponseSchema = z.looseObject({
  destinations: z
    .array(
      z.looseObject({
        datasets: z
          .array(z.looseObject({ id: z.string().optional(), flowId: z.string().optional(), statusURL: z.string() }))
          .default([]),
      }),
    )
    .default([]),
});

export interface AdhocRunStarted {
  flowId: string;
  datasetId: string;
  runId: string;
  statusUrl: string;
}

/** Flow Service list wrapper (`_links.next.href` carries the continuation token). */
export const ListEnvelopeSchema = z.looseObject({
  items: z.array(z.unknown()).default([]),
  _links: z.looseObject({ next: z.looseObject({ href: z.string().optional() }).optional() }).optional(),
});

export const CountEnvelopeSchema = z.looseObject({ count: z.coerce.number() });

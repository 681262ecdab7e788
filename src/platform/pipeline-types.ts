// What the pipeline side of the Platform answers (Query Service, Catalog batches and dataset
// creation, Schema Registry, Segmentation, audience activation). Lenient like types.ts: only the
// fields the pipeline worker reads are required, so a new field never breaks a pipeline.
import { z } from 'zod';

/** Query Service `state` (query-service.yaml): the last four are terminal. */
export const queryStates = ['SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'KILLED', 'TIMEOUT'] as const;

export const QueryErrorSchema = z.looseObject({ code: z.string().optional(), message: z.string().optional(), errorType: z.string().optional() });

export const QuerySchema = z.looseObject({
  id: z.string().min(1),
  state: z.string(),
  rowCount: z.number().optional(),
  isCTAS: z.boolean().optional(),
  effectiveSQL: z.string().optional(),
  elapsedTime: z.number().optional(),
  created: z.string().optional(),
  errors: z.array(QueryErrorSchema).default([]),
  _links: z
    .looseObject({ created_dataset: z.looseObject({ id: z.string() }).optional() })
    .optional(),
});
export type Query = z.infer<typeof QuerySchema>;

export const QueryListSchema = z.looseObject({ queries: z.array(QuerySchema).default([]) });

/** Catalog batch (the value of `{ "<batchId>": batch }`). */
export const CatalogBatchSchema = z.looseObject({
  status: z.string(),
  externalId: z.string().optional(),
  created: z.number().optional(),
  recordCount: z.number().optional(),
  failedRecordCount: z.number().optional(),
  relatedObjects: z.array(z.looseObject({ type: z.string().optional(), id: z.string().optional() })).optional(),
  errors: z.array(z.looseObject({ code: z.string().optional(), description: z.string().optional() })).optional(),
});
export type CatalogBatch = z.infer<typeof CatalogBatchSchema> & { id: string };

export const ImportBatchSchema = z.looseObject({ id: z.string().min(1), status: z.string().optional() });

export const RegistryStatsSchema = z.looseObject({ tenantId: z.string().min(1) });

export const XdmResourceSchema = z.looseObject({ $id: z.string().min(1), 'meta:altId': z.string().optional(), title: z.string().optional() });
export type XdmResource = z.infer<typeof XdmResourceSchema>;

/** `GET /tenant/{schemas|fieldgroups}` with the xed-id Accept header. */
export const XdmListSchema = z.looseObject({
  results: z.array(XdmResourceSchema).default([]),
  _page: z.looseObject({ next: z.string().nullable().optional() }).optional(),
});

export const DescriptorSchema = z.looseObject({ '@id': z.string().min(1) });

export const SegmentDefinitionSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  expression: z.looseObject({ value: z.string().optional() }).optional(),
});
export type SegmentDefinition = z.infer<typeof SegmentDefinitionSchema>;

/** `GET /segment/definitions`: one page of definitions and the paging facts. */
export const SegmentDefinitionListSchema = z.looseObject({
  segments: z.array(SegmentDefinitionSchema).default([]),
  page: z.looseObject({ totalCount: z.number().optional(), totalPages: z.number().optional() }).optional(),
});

export const SegmentJobSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  creationTime: z.number().optional(),
  segments: z.array(z.looseObject({ segmentId: z.string().optional() })).default([]),
  metrics: z
    .looseObject({
      totalProfiles: z.number().optional(),
      segmentedProfileCounter: z.record(z.string(), z.number()).optional(),
    })
    .optional(),
  errors: z.array(z.looseObject({ code: z.string().optional(), msg: z.string().optional() })).optional(),
});
export type SegmentJob = z.infer<typeof SegmentJobSchema>;

export const SegmentJobListSchema = z.looseObject({ children: z.array(SegmentJobSchema).default([]) });

/** The audience (v2) ad hoc activation answer: one status URL per (segment, flow). */
export const AudienceActivationSchema = z.looseObject({
  order: z.array(z.looseObject({ segment: z.string().optional(), order: z.string().optional(), statusURL: z.string() })).default([]),
});

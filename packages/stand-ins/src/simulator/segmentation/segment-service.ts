// Segmentation use cases: create/read segment definitions (PQL validated on create), create a
// segment job (NEW, due after the configured delay), evaluate it for real over the merged
// profiles (SUCCEEDED with the audience sizes and members, or FAILED), cancel it.
import { randomUUID } from 'node:crypto';
import type { SimulatorContext, Tenancy } from '../context.js';
import type { Row } from '../datasets/fields.js';
import { pipelineSettingsFor } from '../query/pipeline-settings.js';
import { loadProfiles, ProfileLimitError } from './profile-store.js';
import { evaluatePql, parsePql, PqlError } from './pql.js';
import {
  defaultMergePolicyId,
  PROFILE_INSTANCE_ID,
  PROFILE_SCHEMA_NAME,
  sandboxInfo,
  type SegmentDefinition,
  type SegmentJob,
} from './segment-records.js';
import { SegmentStore } from './segment-store.js';

export class SegmentRejection extends Error {
  constructor(
    readonly status: 400 | 404 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface NewSegmentDefinition {
  name: string;
  description?: string;
  expression: { type: string; format: string; value: string };
  schema: { name: string };
  mergePolicyId?: string;
  evaluationInfo?: SegmentDefinition['evaluationInfo'];
  payloadSchema?: string;
  ttlInDays?: number;
}

export class SegmentService {
  readonly store: SegmentStore;

  constructor(private readonly ctx: SimulatorContext) {
    this.store = new SegmentStore(ctx.pool, ctx.schema);
  }

  async createDefinition(t: Tenancy, input: NewSegmentDefinition): Promise<SegmentDefinition> {
    if (input.expression.type !== 'PQL' || input.expression.format !== 'pql/text') {
      throw new SegmentRejection(400, `Expression ${input.expression.type} ${input.expression.format} is not supported by the simulator; use type PQL, format pql/text`);
    }
    if (input.schema.name !== PROFILE_SCHEMA_NAME) throw new SegmentRejection(400, `Segments on ${input.schema.name} are not supported by the simulator; use ${PROFILE_SCHEMA_NAME}`);
    try {
      parsePql(input.expression.value);
    } catch (error) {
      if (error instanceof PqlError) throw new SegmentRejection(400, `Invalid PQL expression: ${error.message}`);
      throw error;
    }
    const nowMs = this.ctx.now();
    const definition: SegmentDefinition = {
      id: randomUUID(),
      imsOrgId: t.orgId,
      sandbox: sandboxInfo(t),
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      profileInstanceId: PROFILE_INSTANCE_ID,
      expression: { type: 'PQL', format: 'pql/text', value: input.expression.value },
      mergePolicyId: input.mergePolicyId ?? defaultMergePolicyId(t),
      evaluationInfo: input.evaluationInfo ?? { batch: { enabled: true }, continuous: { enabled: false }, synchronous: { enabled: false } },
      schema: { name: PROFILE_SCHEMA_NAME },
      payloadSchema: input.payloadSchema ?? 'string',
      ...(input.ttlInDays === undefined ? {} : { ttlInDays: input.ttlInDays }),
      dataGovernancePolicy: { excludeOptOut: true },
      creationTime: nowMs,
      updateTime: nowMs,
      updateEpoch: Math.floor(nowMs / 1000),
    };
    await this.store.insertDefinition(t, definition);
    return definition;
  }

  async createJob(t: Tenancy, segmentIds: string[]): Promise<SegmentJob> {
    const segments = [];
    for (const segmentId of segmentIds) {
      const definition = await this.store.getDefinition(t, segmentId);
      if (definition === null) throw new SegmentRejection(400, `Segment definition ${segmentId} does not exist`);
      segments.push({
        segmentId,
        segment: { id: segmentId, expression: definition.expression, mergePolicyId: definition.mergePolicyId, mergePolicy: { id: definition.mergePolicyId, version: 1 } },
      });
    }
    const nowMs = this.ctx.now();
    const job: SegmentJob = {
      id: randomUUID(),
      imsOrgId: t.orgId,
      sandbox: sandboxInfo(t),
      profileInstanceId: PROFILE_INSTANCE_ID,
      source: 'api',
      status: 'NEW',
      segments,
      metrics: { totalTime: { startTimeInMs: nowMs, totalTimeInMs: 0 }, profileSegmentationTime: { startTimeInMs: nowMs, totalTimeInMs: 0 } },
      requestId: randomUUID(),
      schema: { name: PROFILE_SCHEMA_NAME },
      properties: {},
      creationTime: nowMs,
      updateTime: nowMs,
      updateEpoch: Math.floor(nowMs / 1000),
    };
    await this.store.insertJob(t, job, nowMs + pipelineSettingsFor(this.ctx).current().segmentJobDelayMs);
    return job;
  }

  /** Evaluates a claimed (PROCESSING) job and records the outcome. */
  async evaluate(job: SegmentJob): Promise<void> {
    const t: Tenancy = { orgId: job.imsOrgId, sandbox: job.sandbox.sandboxName };
    const startMs = this.ctx.now();
    let finished: SegmentJob;
    const members = new Map<string, Row[]>();
    try {
      const profiles = await loadProfiles(this.ctx, t);
      const segmentationStart = this.ctx.now();
      for (const { segmentId, segment } of job.segments) {
        const expression = parsePql(segment.expression.value);
        members.set(segmentId, profiles.filter((profile) => evaluatePql(expression, profile)));
      }
      const endMs = this.ctx.now();
      const counts = Object.fromEntries([...members].map(([id, rows]) => [id, rows.length]));
      const mergePolicyId = job.segments[0]?.segment.mergePolicyId ?? defaultMergePolicyId(t);
      finished = {
        ...job,
        status: 'SUCCEEDED',
        metrics: {
          totalTime: { startTimeInMs: job.creationTime, endTimeInMs: endMs, totalTimeInMs: endMs - job.creationTime },
          profileSegmentationTime: { startTimeInMs: segmentationStart, endTimeInMs: endMs, totalTimeInMs: endMs - segmentationStart },
          totalProfiles: profiles.length,
          totalProfilesByMergePolicy: { [mergePolicyId]: profiles.length },
          segmentedProfileCounter: counts,
          segmentedProfileByNamespaceCounter: Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, { ECID: n }])),
          segmentedProfileByStatusCounter: Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, { realized: n, existing: 0, exited: 0 }])),
        },
        updateTime: endMs,
        updateEpoch: Math.floor(endMs / 1000),
      };
    } catch (error) {
      if (!(error instanceof ProfileLimitError) && !(error instanceof PqlError)) throw error;
      const endMs = this.ctx.now();
      members.clear();
      finished = {
        ...job,
        status: 'FAILED',
        errors: [{ code: '400', msg: error.message }],
        metrics: { totalTime: { startTimeInMs: job.creationTime, endTimeInMs: endMs, totalTimeInMs: endMs - job.creationTime }, profileSegmentationTime: { startTimeInMs: startMs, endTimeInMs: endMs, totalTimeInMs: endMs - startMs } },
        updateTime: endMs,
        updateEpoch: Math.floor(endMs / 1000),
      };
    }
    await this.store.finishJob(t, finished, members);
  }
}

const services = new WeakMap<SimulatorContext, SegmentService>();

export function segmentServiceFor(ctx: SimulatorContext): SegmentService {
  let service = services.get(ctx);
  if (service === undefined) {
    service = new SegmentService(ctx);
    services.set(ctx, service);
  }
  return service;
}

// The audience variant of the ad hoc activation (ad-hoc-activation.yaml, Accept
// `application/vnd.adobe.adhoc.activation+json; version=2`, body {"activationInfo":{"<flowId>":
// ["<segmentId>", …]}}). Each flow must be an enabled audience dataflow (Profile Store source)
// with the segment mapped in its segmentSelectors; the segment's latest SUCCEEDED job supplies the
// members. The members are frozen into a snapshot dataset and exported by the ordinary run engine,
// so the run, its statusURL and the landing files behave exactly like a dataset export.
import { z } from 'zod';
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import { inferFields, leaf, struct, type Field } from '../datasets/fields.js';
import { PROFILE_STORE_SOURCE_SPEC_ID } from '../flow-service/spec-ids.js';
import { ExportTargetError, loadExportTarget, loadFlow, type FlowView } from '../runs/flow-links.js';
import { runEngineFor } from '../runs/run-engine.js';
import { TENANT_NAMESPACE } from '../schema-registry/xdm-constants.js';
import type { SegmentDefinition } from './segment-records.js';
import { segmentServiceFor } from './segment-service.js';
import { lockHolderGateFor } from '../store/connection-gate.js';

export const ADHOC_AUDIENCE_ACCEPT = 'application/vnd.adobe.adhoc.activation+json; version=2';
/** Most audiences one ad hoc activation job may carry (ad-hoc-activation.yaml guardrails). */
const MAX_AUDIENCES = 80;
/** Tag of the member snapshot an activation exports: [segmentId, segmentJobId]. */
const AUDIENCE_SNAPSHOT_TAG = 'aep/simulator/audienceSnapshot';

/** Accepts the audience (v2) media type, ignoring case and spacing around parameters. */
export function acceptsAudienceActivation(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((entry) => {
    const [type, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    return type === 'application/vnd.adobe.adhoc.activation+json' && params.some((p) => p.replace(/\s+/g, '') === 'version=2');
  });
}

export const audienceActivationRequestSchema = z.object({
  activationInfo: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).refine((info) => Object.keys(info).length > 0, 'activationInfo names no dataflow'),
});
export type AudienceActivationRequest = z.infer<typeof audienceActivationRequestSchema>;

export interface ActivationOrder {
  segment: string;
  order: string;
  runId: string;
}

export class AudienceActivationRejected extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

interface CheckedOrder {
  flow: FlowView;
  targetConnectionId: string;
  segments: SegmentDefinition[];
}

function mappedSegmentIds(flow: FlowView): Set<string> {
  const ids = new Set<string>();
  const transformations = (flow as { transformations?: unknown }).transformations;
  if (!Array.isArray(transformations)) return ids;
  for (const transformation of transformations) {
    const selectors = (transformation as { params?: { segmentSelectors?: { selectors?: unknown } } } | null)?.params?.segmentSelectors?.selectors;
    if (!Array.isArray(selectors)) continue;
    for (const selector of selectors) {
      const id = (selector as { value?: { id?: unknown } } | null)?.value?.id;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return ids;
}

async function checkOrder(ctx: SimulatorContext, t: Tenancy, flowId: string, segmentIds: string[]): Promise<CheckedOrder> {
  const flow = await loadFlow(ctx, t, flowId);
  if (flow === null) throw new AudienceActivationRejected(404, `Flow for id ${flowId} not found`);
  if (flow.state !== undefined && flow.state.toLowerCase() !== 'enabled') throw new AudienceActivationRejected(400, `Invalid parameter: Flow for id ${flowId} is incorrect. Error is [Flow is disabled]`);
  const sources = await Promise.all(flow.sourceConnectionIds.map((id) => ctx.entities.get<{ connectionSpec?: { id?: string } }>(t, 'sourceConnection', id)));
  if (!sources.some((s) => s?.body.connectionSpec?.id === PROFILE_STORE_SOURCE_SPEC_ID)) {
    throw new AudienceActivationRejected(400, `Invalid parameter: Flow for id ${flowId} is incorrect. Error is [not an audience activation dataflow: its source is not the Profile Store]`);
  }
  const segments = await Promise.all(segmentIds.map((id) => segmentServiceFor(ctx).store.getDefinition(t, id)));
  const mapped = mappedSegmentIds(flow);
  const notMapped = segmentIds.filter((id, index) => segments[index] === null || !mapped.has(id));
  if (notMapped.length > 0) {
    const names = notMapped.map((id) => segments[segmentIds.indexOf(id)]?.name ?? id);
    throw new AudienceActivationRejected(400, `Segments ${names.join(', ')} are not part of this dataflow or out of schedule range!`);
  }
  const readyAt = flow.__sim?.readyAt;
  if (readyAt !== undefined && ctx.now() < readyAt) {
    throw new AudienceActivationRejected(400, 'Invalid parameter: Following order ID(s) are not ready for audience export, please wait for 10 minutes and retry.');
  }
  try {
    const target = await loadExportTarget(ctx, t, flow);
    return { flow, targetConnectionId: target.targetConnectionId, segments: segments.filter((s): s is SegmentDefinition => s !== null) };
  } catch (error) {
    if (error instanceof ExportTargetError) throw new AudienceActivationRejected(400, `Invalid parameter: Flow for id ${flowId} is incorrect. Error is [${error.message}]`);
    throw error;
  }
}

/** Columns of an audience snapshot: the members' own, or the identity alone for an empty audience. */
function snapshotFields(members: readonly Record<string, unknown>[]): Field[] {
  const fields = inferFields(members);
  return fields.length > 0 ? fields : [struct(TENANT_NAMESPACE, [leaf('userid', 'string')])];
}

export async function startAudienceActivation(ctx: SimulatorContext, t: Tenancy, request: AudienceActivationRequest): Promise<ActivationOrder[]> {
  const entries = Object.entries(request.activationInfo);
  if (entries.reduce((n, [, ids]) => n + new Set(ids).size, 0) > MAX_AUDIENCES) {
    throw new AudienceActivationRejected(400, `Invalid parameter: an ad hoc activation job can activate at most ${MAX_AUDIENCES} audiences`);
  }
  const checked: CheckedOrder[] = [];
  for (const [flowId, segmentIds] of entries) checked.push(await checkOrder(ctx, t, flowId, [...new Set(segmentIds)]));

  const segments = segmentServiceFor(ctx).store;
  const engine = runEngineFor(ctx);
  const datasets = datasetStoreFor(ctx);
  // The lock's connection stays checked out while datasets and runs are created through others.
  return lockHolderGateFor(ctx).run(async () => {
    const lockClient = await ctx.pool.connect();
    try {
      await lockClient.query('BEGIN');
      // Same lock key as the dataset variant: one ad hoc request per flow at a time.
      for (const flowId of checked.map((c) => c.flow.id).sort()) {
        await lockClient.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`adhoc-run|${t.orgId}|${t.sandbox}|${flowId}`]);
      }
      for (const c of checked) {
        const running = await engine.inProgressRun(t, c.flow.id);
        const segment = c.segments[0];
        if (running !== null && segment !== undefined) {
          throw new AudienceActivationRejected(400, `Run already going on for audience ${segment.id} for order ${c.flow.id} with run id ${running.id}`);
        }
      }
      const orders: ActivationOrder[] = [];
      for (const c of checked) {
        for (const segment of c.segments) {
          const job = await segments.latestSucceededJob(t, segment.id);
          if (job === null) throw new AudienceActivationRejected(400, `Audience ${segment.name} (${segment.id}) has not been evaluated yet; run a segment job first`);
          const members = await segments.members(t, job.id, segment.id);
          const snapshot = await datasets.createDataset(t, {
            name: `Audience ${segment.name} activation`,
            description: `Members of segment ${segment.id} from segment job ${job.id}, activated to flow ${c.flow.id}.`,
            fields: snapshotFields(members),
            rows: members,
            tags: { [AUDIENCE_SNAPSHOT_TAG]: [segment.id, job.id] },
          });
          const run = await engine.createRun(t, c.flow, snapshot.id, c.targetConnectionId);
          orders.push({ segment: segment.id, order: c.flow.id, runId: run.id });
        }
      }
      await lockClient.query('COMMIT');
      return orders;
    } catch (error) {
      await lockClient.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      lockClient.release();
    }
  });
}

/**
 * The member snapshots activations of a segment took (the simulator's stand-in for what the
 * Platform exports from Profile, kept as datasets the run engine reads): gone with the segment.
 */
export async function removeAudienceSnapshots(ctx: SimulatorContext, t: Tenancy, segmentId: string): Promise<void> {
  const datasets = datasetStoreFor(ctx);
  const snapshots: string[] = [];
  for (let start = 0; ; start += 100) {
    const page = await datasets.listDatasets(t, { start, limit: 100 });
    snapshots.push(...page.items.filter((d) => d.tags[AUDIENCE_SNAPSHOT_TAG]?.[0] === segmentId).map((d) => d.id));
    if (page.items.length < 100) break;
  }
  for (const id of snapshots) await datasets.deleteDataset(t, id);
}

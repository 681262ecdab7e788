// Dataflows (`/flows`): create (enabled, not ready for ad hoc runs until notReadySeconds have
// passed), get, list, PATCH (schedule, source connections, name), DELETE.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext, Tenancy } from '../context.js';
import { callerOf, deleteOne, FLOW_SERVICE_BASE, getOne, listAll, patchOne, sendRejection, type IdParams } from './crud.js';
import { newEntityMeta } from './entity-meta.js';
import type { FlowBody, FlowOperation } from './entities.js';
import { resolveFlowLinks } from './flow-links.js';
import { topField, type PatchOp } from './json-patch.js';
import { accept, badRequest, refuse, type Checked } from './rejection.js';
import { checkSchedule } from './schedule.js';
import { segmentSelectorErrors } from './segment-selectors.js';
import { destinationByFlowSpec } from './spec-ids.js';
import { checkFlowCreate, checkIdList } from './validation.js';

const PATCHABLE = new Set(['name', 'description', 'scheduleParams', 'sourceConnectionIds', 'targetConnectionIds', 'transformations']);

export function completedOperation(operation: FlowOperation['operation'], nowMs: number, ops: unknown[] = []): FlowOperation {
  return { started: nowMs, updated: nowMs, percentCompleted: 100, status: { value: 'completed', errors: [] }, ops, operation };
}

export function readyAtFrom(ctx: SimulatorContext): number {
  return ctx.now() + ctx.config.notReadySeconds * 1000;
}

export function registerFlowRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const base = `${FLOW_SERVICE_BASE}/flows`;

  app.post(base, async (request, reply) => {
    const checked = checkFlowCreate(request.body);
    if (!checked.ok) return sendRejection(reply, checked.rejection);
    const input = checked.value;
    const links = await resolveFlowLinks(ctx, request.tenancy, input.destination, input.sourceConnectionIds, input.targetConnectionIds);
    if (!links.ok) return sendRejection(reply, links.rejection);
    const caller = callerOf(request);
    const now = ctx.now();
    const created = await ctx.entities.create<FlowBody>(request.tenancy, 'flow', (id, etag) => ({
      id,
      ...newEntityMeta(caller, now),
      name: input.name,
      // Flows always carry a description (the destinations spec requires it in responses).
      description: input.description ?? '',
      flowSpec: input.flowSpec,
      state: 'enabled',
      version: etag,
      etag,
      sourceConnectionIds: input.sourceConnectionIds,
      targetConnectionIds: input.targetConnectionIds,
      inheritedAttributes: { properties: { isDestinationFlow: true }, ...links.value },
      scheduleParams: input.scheduleParams,
      transformations: input.transformations,
      runs: `/runs?property=flowId==${id}`,
      lastOperation: completedOperation('create', now),
      __sim: { readyAt: readyAtFrom(ctx) },
    }));
    return reply.code(201).send({ id: created.id, etag: created.etag });
  });

  app.get(base, async (request, reply) => listAll(ctx, request, reply, 'flow', base));
  app.get<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => getOne(ctx, request, reply, 'flow'));
  app.delete<{ Params: IdParams }>(`${base}/:id`, async (request, reply) => deleteOne(ctx, request, reply, 'flow'));
  app.patch<{ Params: IdParams }>(`${base}/:id`, async (request, reply) =>
    patchOne<FlowBody>(ctx, request, reply, 'flow', PATCHABLE, (current, patched, ops) => prepareFlowPatch(ctx, request.tenancy, current, patched, ops)),
  );
}

async function prepareFlowPatch(
  ctx: SimulatorContext,
  tenancy: Tenancy,
  current: FlowBody,
  patched: FlowBody,
  ops: PatchOp[],
): Promise<Checked<FlowBody>> {
  const fields = new Set(ops.map((op) => topField(op.path)));
  let next: FlowBody = { ...patched, lastOperation: completedOperation('update', ctx.now(), ops) };

  if (fields.has('scheduleParams')) {
    // aepp replaces /scheduleParams with only {startTime}; keep the other fields it leaves out
    // (what the Platform does here is undocumented, see docs/simulator.md).
    const replacement: unknown = patched.scheduleParams;
    if (typeof replacement !== 'object' || replacement === null || Array.isArray(replacement)) {
      return refuse(badRequest('1042', 'scheduleParams must be an object'));
    }
    const merged = { ...current.scheduleParams, ...replacement };
    const schedule = checkSchedule(merged);
    if (schedule.schedule === undefined) return refuse(badRequest('1042', 'scheduleParams are invalid', schedule.errors));
    // A new schedule starts counting occurrences afresh, from now (run-scheduler.ts).
    const { nextOccurrence: _dropped, ...sim } = current.__sim;
    next = { ...next, scheduleParams: schedule.schedule, __sim: { ...sim, enabledAt: ctx.now() } };
  }
  if (fields.has('sourceConnectionIds') || fields.has('targetConnectionIds')) {
    const sources = checkIdList(patched.sourceConnectionIds, 'sourceConnectionIds');
    if (!sources.ok) return sources;
    const targets = checkIdList(patched.targetConnectionIds, 'targetConnectionIds');
    if (!targets.ok) return targets;
    const destination = destinationByFlowSpec(current.flowSpec.id);
    if (destination === undefined) return refuse(badRequest('1047', `Flow ${current.id} has an unknown flow spec`));
    const links = await resolveFlowLinks(ctx, tenancy, destination, sources.value, targets.value);
    if (!links.ok) return links;
    next = {
      ...next,
      sourceConnectionIds: sources.value,
      targetConnectionIds: targets.value,
      inheritedAttributes: { ...current.inheritedAttributes, ...links.value },
    };
  }
  if (fields.has('transformations')) {
    if (!Array.isArray(patched.transformations)) return refuse(badRequest('1041', 'transformations must be an array'));
    const selectorErrors = segmentSelectorErrors(patched.transformations);
    if (selectorErrors.length > 0) return refuse(badRequest('1049', 'Segment selectors are invalid', selectorErrors));
  }
  if (fields.has('name') && (typeof patched.name !== 'string' || patched.name.trim() === '')) return refuse(badRequest('1001', 'name must be a non-empty string'));
  return accept(next);
}

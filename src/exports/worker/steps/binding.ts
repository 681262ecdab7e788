// The flow binding of an export: the row keyed by tenant, destination, dataset, path, format,
// compression and schedule that holds the shared source connection, target connection and flow.
// Each of those is created under the binding's advisory lock, after a lookup by name, and saved
// the moment its id is known.
import type { FlowBinding } from '../../../generated/prisma/client.js';
import { withTryAdvisoryLock } from '../../../jobs/advisory-lock.js';
import { findOrCreate } from '../../../jobs/find-or-create.js';
import { bindingObjectName, scheduleKeyOf, type BindingKey } from '../platform-names.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { advance, type Advance, type StepContext, type StepEnd } from '../step-context.js';
import type { WorkflowStep } from '../workflow.js';
import { ensureFlowBinding, findFlowBinding, saveBindingId, type BindingIdField } from '../worker-store.js';
import { lockBusy } from './lock-busy.js';

export function bindingKeyOf(ctx: StepContext): BindingKey {
  const { exp } = ctx;
  return {
    tenantId: exp.tenantId,
    destinationId: exp.destinationId,
    datasetId: exp.datasetId,
    path: exp.path,
    format: exp.format,
    compression: exp.compression,
    scheduleKey: scheduleKeyOf(exp.id, exp.schedule),
  };
}

/** The export's binding, created and linked to the export on first use. */
export async function bindingOf(ctx: StepContext): Promise<FlowBinding> {
  if (ctx.exp.flowBinding) return ctx.exp.flowBinding;
  const binding = await ensureFlowBinding(ctx.db, bindingKeyOf(ctx));
  await ctx.fenced.update(ctx.db, { flowBindingId: binding.id });
  ctx.exp.flowBindingId = binding.id;
  ctx.exp.flowBinding = binding;
  return binding;
}

export interface BindingObjectSpec {
  step: WorkflowStep;
  field: BindingIdField;
  kind: 'source' | 'target' | 'flow';
  find: (name: string) => Promise<{ id: string } | null>;
  create: (name: string, binding: FlowBinding) => Promise<{ id: string }>;
}

/** Ensures one Platform object of the binding exists and its id is saved; then on to the next step. */
export async function ensureBindingObject(ctx: StepContext, spec: BindingObjectSpec): Promise<Advance | StepEnd> {
  const binding = await bindingOf(ctx);
  if (binding[spec.field] !== null) return advance;
  const name = bindingObjectName(spec.kind, bindingKeyOf(ctx));
  try {
    // A step saves itself before it writes at the Platform (FencedExport.stageStep).
    await ctx.fenced.saveStep(ctx.db);
    const outcome = await withTryAdvisoryLock(ctx.db, `aepjobs:binding:${binding.id}`, async (tx) => {
      const fresh = await findFlowBinding(tx, binding.id);
      if (fresh === null) throw new Error(`flow binding ${binding.id} disappeared`);
      const saved = fresh[spec.field];
      if (saved !== null) return saved;
      const { id, created } = await findOrCreate({
        step: spec.step,
        crash: ctx.crash,
        find: () => spec.find(name),
        create: () => spec.create(name, fresh),
      });
      await saveBindingId(tx, binding.id, spec.field, id);
      ctx.log.info({ [spec.field]: id, created }, created ? `${spec.step} created` : `${spec.step} found by name`);
      return id;
    });
    if (!outcome.acquired) return lockBusy(ctx, `another export is creating the ${spec.step.replace('_', ' ')}`);
    binding[spec.field] = outcome.value;
    return advance;
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, spec.step);
  }
}

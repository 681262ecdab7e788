// Steps `source_connection`, `target_connection` and `flow`: the binding's Platform objects, each
// skipped once its id is saved on the binding.
import { InvalidDestinationError, platformDestinationOf, targetConnectionParams } from '../../../destinations/platform-destination.js';
import { scheduleParamsOf } from '../schedule-params.js';
import { fail, type StepHandler } from '../step-context.js';
import { ensureBindingObject } from './binding.js';

export const sourceConnectionStep: StepHandler = (ctx) =>
  ensureBindingObject(ctx, {
    step: 'source_connection',
    field: 'sourceConnectionId',
    kind: 'source',
    then: 'target_connection',
    find: (name) => ctx.platform.findSourceConnectionByName(name),
    create: (name) =>
      ctx.platform.createSourceConnection({ name, datasetId: ctx.exp.datasetId, description: 'aep-distiller-jobs dataset export source' }),
  });

export const targetConnectionStep: StepHandler = async (ctx) => {
  const baseConnectionId = ctx.exp.destination.baseConnectionId;
  if (baseConnectionId === null) return { kind: 'next', step: 'base_connection' };
  let destination;
  try {
    destination = platformDestinationOf(ctx.exp.destination, ctx.secrets);
  } catch (error) {
    if (!(error instanceof InvalidDestinationError)) throw error;
    return fail({ code: 'destination_invalid', message: error.message, step: 'target_connection' });
  }
  return ensureBindingObject(ctx, {
    step: 'target_connection',
    field: 'targetConnectionId',
    kind: 'target',
    then: 'flow',
    find: (name) => ctx.platform.findTargetConnectionByName(name),
    create: (name) =>
      ctx.platform.createTargetConnection({
        name,
        baseConnectionId,
        connectionSpecId: destination.connectionSpecId,
        params: targetConnectionParams(destination, ctx.exp),
        description: 'aep-distiller-jobs dataset export target',
      }),
  });
};

export const flowStep: StepHandler = async (ctx) => {
  let destination;
  try {
    destination = platformDestinationOf(ctx.exp.destination, ctx.secrets);
  } catch (error) {
    if (!(error instanceof InvalidDestinationError)) throw error;
    return fail({ code: 'destination_invalid', message: error.message, step: 'flow' });
  }
  return ensureBindingObject(ctx, {
    step: 'flow',
    field: 'flowId',
    kind: 'flow',
    then: 'verify_flow',
    find: (name) => ctx.platform.findFlowByName(name),
    create: (name, binding) => {
      if (binding.sourceConnectionId === null || binding.targetConnectionId === null) {
        throw new Error('flow step reached before its connections exist');
      }
      return ctx.platform.createFlow({
        name,
        flowSpecId: destination.flowSpecId,
        sourceConnectionId: binding.sourceConnectionId,
        targetConnectionId: binding.targetConnectionId,
        scheduleParams: scheduleParamsOf(ctx.exp.schedule, ctx.now()),
        description: 'aep-distiller-jobs dataset export flow',
      });
    },
  });
};

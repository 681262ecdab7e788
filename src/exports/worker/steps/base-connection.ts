// Step `base_connection`: one base connection per destination, shared by every export to it.
// Creation is serialised per destination (advisory lock) and preceded by a lookup by name, so
// concurrent first exports, a lost response or a restored database never make a second one.
import { destinationLockKey, withTryAdvisoryLock } from '../advisory-lock.js';
import { InvalidDestinationError, platformDestinationOf } from '../../../destinations/platform-destination.js';
import { findOrCreate } from '../find-or-create.js';
import { baseConnectionName } from '../platform-names.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { fail, next, type StepHandler } from '../step-context.js';
import { saveBaseConnectionId } from '../worker-store.js';
import { lockBusy } from './lock-busy.js';

export const baseConnectionStep: StepHandler = async (ctx) => {
  const destination = ctx.exp.destination;
  if (destination.baseConnectionId !== null) return next('source_connection');

  try {
    platformDestinationOf(destination, ctx.secrets);
  } catch (error) {
    if (!(error instanceof InvalidDestinationError)) throw error;
    return fail({ code: 'destination_invalid', message: error.message, step: 'base_connection' });
  }
  const name = baseConnectionName(destination.tenantId, destination.id);

  try {
    // The same lock PATCH /destinations/:id takes to rotate credentials: the credentials are read
    // again under it, so a base connection is never created with credentials replaced meanwhile.
    const outcome = await withTryAdvisoryLock(ctx.db, destinationLockKey(destination.id), async (tx) => {
      const fresh = await tx.destination.findUniqueOrThrow({ where: { id: destination.id } });
      if (fresh.baseConnectionId !== null) return fresh.baseConnectionId;
      const target = platformDestinationOf(fresh, ctx.secrets);
      const { id, created } = await findOrCreate({
        step: 'base_connection',
        crash: ctx.crash,
        find: () => ctx.platform.findBaseConnectionByName(name),
        create: () =>
          ctx.platform.createBaseConnection({
            name,
            connectionSpecId: target.connectionSpecId,
            auth: target.auth,
            description: `aep-distiller-jobs destination ${destination.name}`,
          }),
      });
      await saveBaseConnectionId(tx, destination.id, id);
      ctx.log.info({ baseConnectionId: id, created }, created ? 'base connection created' : 'base connection found by name');
      return id;
    });
    if (!outcome.acquired) return lockBusy(ctx, 'another export is creating this destination\'s base connection');
    destination.baseConnectionId = outcome.value;
    return next('source_connection');
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'base_connection');
  }
};

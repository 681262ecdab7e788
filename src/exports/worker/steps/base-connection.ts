// Step `base_connection`: one base connection per destination, shared by every export to it
// (found or created under the destination's lock: src/destinations/base-connection.ts).
import { ensureBaseConnection } from '../../../destinations/base-connection.js';
import { InvalidDestinationError, platformDestinationOf } from '../../../destinations/platform-destination.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { advance, fail, type StepHandler } from '../step-context.js';
import { lockBusy } from './lock-busy.js';

export const baseConnectionStep: StepHandler<'base_connection'> = async (ctx) => {
  const destination = ctx.exp.destination;
  if (destination.baseConnectionId !== null) return advance;

  try {
    platformDestinationOf(destination, ctx.secrets);
  } catch (error) {
    if (!(error instanceof InvalidDestinationError)) throw error;
    return fail({ code: 'destination_invalid', message: error.message, step: 'base_connection' });
  }

  try {
    // A step saves itself before it writes at the Platform (FencedExport.stageStep).
    await ctx.fenced.saveStep(ctx.db);
    const ensured = await ensureBaseConnection(ctx, destination, 'base_connection');
    if (ensured === null) return lockBusy(ctx, 'another export is creating this destination\'s base connection');
    if (ensured.created !== null) ctx.log.info({ baseConnectionId: ensured.id, created: ensured.created }, ensured.created ? 'base connection created' : 'base connection found by name');
    destination.baseConnectionId = ensured.id;
    return advance;
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'base_connection');
  }
};

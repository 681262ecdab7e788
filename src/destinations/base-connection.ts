// A destination's base connection: one per destination, shared by every export to it and every
// pipeline activating an audience to it. It is found by its deterministic name before it is
// created, under the destination's advisory lock (the one PATCH /destinations/:id rotates
// credentials under), so concurrent first jobs, a lost answer or a restored database never make a
// second one, and it is never created with credentials replaced meanwhile.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, DbOrTx } from '../db/client.js';
import type { Destination } from '../generated/prisma/client.js';
import { withTryAdvisoryLock } from '../jobs/advisory-lock.js';
import type { CrashPoint } from '../jobs/crash-points.js';
import { findOrCreate } from '../jobs/find-or-create.js';
import { stableHash } from '../jobs/stable-hash.js';
import type { PlatformClient } from '../platform/client.js';
import { platformDestinationOf } from './platform-destination.js';

/** The key serialising changes to one destination's base connection (creation, credential rotation). */
export function destinationLockKey(destinationId: string): string {
  return `aepjobs:destination:${destinationId}`;
}

/** `aepjobs-base-<hash>`: one base connection per destination. */
export function baseConnectionName(tenantId: string, destinationId: string): string {
  return `aepjobs-base-${stableHash([tenantId, destinationId])}`;
}

export async function saveBaseConnectionId(db: DbOrTx, destinationId: string, baseConnectionId: string): Promise<boolean> {
  const { count } = await db.destination.updateMany({ where: { id: destinationId, baseConnectionId: null }, data: { baseConnectionId } });
  return count === 1;
}

export interface BaseConnectionDeps {
  db: Db;
  secrets: SecretBox;
  crash: CrashPoint;
  platform: Pick<PlatformClient, 'findBaseConnectionByName' | 'createBaseConnection'>;
}

/** `created`: null when another job had saved it meanwhile (read again under the lock). */
export type EnsuredBaseConnection = { id: string; created: boolean | null };

/**
 * The destination's base connection id, found or created and saved; null while another job holds
 * the destination's lock (the caller comes back later instead of waiting on it). `crashStep` names
 * the crash-test hook point.
 */
export async function ensureBaseConnection(deps: BaseConnectionDeps, destination: Destination, crashStep: string): Promise<EnsuredBaseConnection | null> {
  const name = baseConnectionName(destination.tenantId, destination.id);
  const outcome = await withTryAdvisoryLock(deps.db, destinationLockKey(destination.id), async (tx): Promise<EnsuredBaseConnection> => {
    const fresh = await tx.destination.findUniqueOrThrow({ where: { id: destination.id } });
    if (fresh.baseConnectionId !== null) return { id: fresh.baseConnectionId, created: null };
    const target = platformDestinationOf(fresh, deps.secrets);
    const { id, created } = await findOrCreate({
      step: crashStep,
      crash: deps.crash,
      find: () => deps.platform.findBaseConnectionByName(name),
      create: () =>
        deps.platform.createBaseConnection({
          name,
          connectionSpecId: target.connectionSpecId,
          auth: target.auth,
          description: `aep-distiller-jobs destination ${destination.name}`,
        }),
    });
    await saveBaseConnectionId(tx, destination.id, id);
    return { id, created };
  });
  return outcome.acquired ? outcome.value : null;
}

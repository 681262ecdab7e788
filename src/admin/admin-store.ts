// Prisma access the admin routes need beyond src/tenants/tenant-store.ts: keys by id, across tenants.
import type { DbOrTx } from '../db/client.js';

export async function findApiKeyById(db: DbOrTx, id: string) {
  return db.apiKey.findUnique({ where: { id } });
}

/**
 * Revokes the key at `at` unless it is already revoked by then: a second revoke keeps the first
 * instant, and a revocation scheduled later (a rotation's overlap) is brought forward.
 */
export async function revokeApiKeyById(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.apiKey.updateMany({ where: { id, OR: [{ revokedAt: null }, { revokedAt: { gt: at } }] }, data: { revokedAt: at } });
}

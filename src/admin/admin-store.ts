// Prisma access the admin routes need beyond src/tenants/tenant-store.ts: keys by id, across tenants.
import type { DbOrTx } from '../db/client.js';

export async function findApiKeyById(db: DbOrTx, id: string) {
  return db.apiKey.findUnique({ where: { id } });
}

/** Sets revokedAt once; a second revoke keeps the first instant. */
export async function revokeApiKeyById(db: DbOrTx, id: string, at: Date): Promise<void> {
  await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
}

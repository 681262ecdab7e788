// Prisma access for pipeline templates (tenant-scoped; the name is unique per tenant).
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { afterKeyset, type Keyset } from '../pagination.js';

export interface NewTemplate {
  tenantId: string;
  name: string;
  description: string | null;
  definition: Prisma.InputJsonObject;
  parameterSchema: Prisma.InputJsonObject;
}

/** Inserts the template; null when the tenant already has one with this name. */
export async function insertTemplate(db: DbOrTx, input: NewTemplate) {
  try {
    return await db.pipelineTemplate.create({ data: { id: randomUUID(), ...input } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
    throw error;
  }
}

export async function findTemplate(db: DbOrTx, tenantId: string, id: string) {
  return db.pipelineTemplate.findFirst({ where: { id, tenantId } });
}

export async function listTemplates(db: DbOrTx, tenantId: string, page: { limit: number; after?: Keyset }) {
  return db.pipelineTemplate.findMany({
    where: { AND: [{ tenantId }, afterKeyset(page.after)] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
  });
}

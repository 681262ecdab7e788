// Destination use cases: create (credentials sealed before they touch the database), read, list,
// delete. The Platform base connection is not created here but by the first export's worker run,
// once, and then reused by every export to the destination.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { activeExportStatuses } from '../exports/export-status.js';
import { pageOf, type Keyset } from '../http/routes/pagination.js';
import { presentDestination } from './destination-presenter.js';
import type { CreateDestinationBody, Destination } from './destination-schemas.js';
import {
  countActiveExportsTo,
  findDestination,
  insertDestination,
  listDestinations,
  markDestinationDeleted,
} from './destination-store.js';

export interface DestinationServiceDeps {
  db: Db;
  secrets: SecretBox;
}

export function createDestinationService({ db, secrets }: DestinationServiceDeps) {
  return {
    async create(tenantId: string, body: CreateDestinationBody): Promise<Destination> {
      const credentials = 'credentials' in body ? body.credentials : null;
      const row = await insertDestination(db, {
        tenantId,
        name: body.name,
        type: body.type,
        params: body.params,
        credentialsSealed: credentials === null ? null : secrets.seal(JSON.stringify(credentials)),
      });
      return presentDestination(row);
    },

    async get(tenantId: string, id: string): Promise<Destination> {
      const row = await findDestination(db, tenantId, id);
      if (!row) throw notFound('Destination', id);
      return presentDestination(row);
    },

    async list(tenantId: string, page: { limit: number; cursor?: Keyset }) {
      const rows = await listDestinations(db, tenantId, { limit: page.limit, ...(page.cursor ? { after: page.cursor } : {}) });
      const { items, nextCursor } = pageOf(rows, page.limit);
      return { items: items.map(presentDestination), nextCursor };
    },

    /** Refused while an export still needs it; the row stays for the exports that reference it. */
    async remove(tenantId: string, id: string): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await findDestination(tx, tenantId, id);
        if (!row) throw notFound('Destination', id);
        // Lock the row so an export accepted concurrently either sees it deleted or blocks this delete.
        await tx.$queryRaw`SELECT id FROM destinations WHERE id = ${id}::uuid FOR UPDATE`;
        const active = await countActiveExportsTo(tx, tenantId, id, activeExportStatuses);
        if (active > 0) {
          throw new AppError('conflict', `Destination ${id} is used by ${active} export(s) that have not finished; cancel them or wait.`);
        }
        if (!(await markDestinationDeleted(tx, tenantId, id))) throw notFound('Destination', id);
      });
    },
  };
}

export type DestinationService = ReturnType<typeof createDestinationService>;

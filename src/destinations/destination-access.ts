// `GET /destinations/:id/access`: short-lived read credentials for a destination's store, for the
// ML side (a notebook, a Databricks job) — for the Data Landing Zone the Platform's own SAS (as
// aepp's getLandingZoneCredential hands out), for Azure Blob a container SAS we sign. Stores whose
// credentials cannot be narrowed to short-lived ones (S3 access keys, GCS HMAC keys, SFTP) answer
// 409: their files are reached through signed URLs or the API instead.
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import type { StoreFactory } from '../storage/store-factory.js';
import { storageProblem } from '../storage/storage-problem.js';
import type { DestinationAccess } from './destination-schemas.js';
import { findDestination } from './destination-store.js';

export function createDestinationAccessService(deps: { db: Db; stores: StoreFactory; ttlSeconds: number }) {
  return {
    async readAccess(tenantId: string, id: string): Promise<DestinationAccess> {
      const row = await findDestination(deps.db, tenantId, id);
      if (!row) throw notFound('Destination', id);
      const store = await deps.stores.forDestination(row).catch((error: unknown) => {
        throw storageProblem(error, `Destination ${id}`);
      });
      try {
        const access = await store.temporaryAccess('', { write: false, ttlSeconds: deps.ttlSeconds }).catch((error: unknown) => {
          throw storageProblem(error, `Destination ${id}`);
        });
        if (access === null) {
          throw new AppError(
            'conflict',
            `A ${row.type} destination's credentials cannot be narrowed to short-lived read access; use the signed download links of GET /exports/{id}/runs/{runId}/files.`,
          );
        }
        const common = { destinationId: row.id, type: row.type as DestinationAccess['type'], rootUri: store.rootUri, expiresAt: access.expiresAt?.toISOString() ?? null };
        return access.kind === 'azure-sas'
          ? { ...common, kind: 'azure-sas', containerUrl: access.containerUrl, sasToken: access.sasToken, sasUri: access.sasUri, permissions: access.permissions }
          : {
              ...common,
              kind: 'aws-session',
              bucket: access.bucket,
              prefix: access.prefix,
              region: access.region,
              endpoint: access.endpoint ?? null,
              accessKeyId: access.accessKeyId,
              secretAccessKey: access.secretAccessKey,
              sessionToken: access.sessionToken ?? null,
            };
      } finally {
        await store.close();
      }
    },
  };
}

export type DestinationAccessService = ReturnType<typeof createDestinationAccessService>;

// Destination use cases: create (credentials sealed before they touch the database), read, list,
// update (rename, rotate credentials) and delete. The Platform base connection is not created here
// but by the first export's worker run, once, and then reused by every export to the destination;
// rotating credentials replaces its `auth` at the Platform.
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { platformFailureToProblem } from '../datasets/platform-failure.js';
import { AppError, notFound } from '../errors.js';
import { activeExportStatuses, type ExportStatus } from '../exports/export-status.js';
import { activePipelineStatuses } from '../pipelines/pipeline-status.js';
import { destinationLockKey, withTryAdvisoryLock } from '../exports/worker/advisory-lock.js';
import { platformDestinationOf } from './platform-destination.js';
import { pageOf, type Keyset } from '../http/routes/pagination.js';
import type { PlatformClient } from '../platform/client.js';
import { PlatformError } from '../platform/errors.js';
import type { PlatformRegistry } from '../platform-registry.js';
import type { TenantCache } from '../tenants/tenant-cache.js';
import { credentialsForType } from './destination-credentials.js';
import { presentDestination } from './destination-presenter.js';
import type { CreateDestinationBody, Destination, UpdateDestinationBody } from './destination-schemas.js';
import {
  exportsUsing,
  findDestination,
  insertDestination,
  listDestinations,
  markDestinationDeleted,
  pipelineSchedulesUsing,
  runningPipelinesUsing,
  updateDestination,
  USERS_NAMED,
} from './destination-store.js';

export interface DestinationServiceDeps {
  db: Db;
  secrets: SecretBox;
  /** The tenant's Platform client, to rotate a base connection's credentials. */
  platforms: Pick<PlatformRegistry, 'platformFor'>;
  tenants: Pick<TenantCache, 'get'>;
  now?: () => Date;
}

/**
 * Finished statuses of a recurring export whose flow no longer runs. A recurring export that
 * `succeeded` has its flow scheduled at the Platform until its endAt, so it still uses the
 * destination.
 */
const finishedRecurringStatuses = ['cancelled', 'failed', 'timed_out'] as const satisfies readonly ExportStatus[];

/**
 * Replaces the base connection's credentials with If-Match (destinations.yaml patchConnectionById:
 * `replace /auth/params`, as its Patch_Connection_Replace_Auth_Params example; the whole `/auth`
 * when the auth spec itself changes, e.g. SFTP password to SSH key). Reads the etag again once if
 * it moved meanwhile.
 */
async function replaceBaseConnectionAuth(platform: PlatformClient, baseConnectionId: string, auth: { specName: string; params: Record<string, unknown> }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const connection = await platform.getBaseConnection(baseConnectionId);
    if (!connection.etag) throw new AppError('platform_error', `The Platform returned base connection ${baseConnectionId} without an etag; its credentials cannot be changed safely.`);
    const operation =
      connection.auth?.specName === auth.specName ? { op: 'replace' as const, path: '/auth/params', value: auth.params } : { op: 'replace' as const, path: '/auth', value: auth };
    try {
      await platform.patchBaseConnection(baseConnectionId, [operation], connection.etag);
      return;
    } catch (error) {
      if (attempt < 2 && error instanceof PlatformError && error.kind === 'conflict') continue;
      throw error;
    }
  }
}

export function createDestinationService({ db, secrets, platforms, tenants, now = () => new Date() }: DestinationServiceDeps) {
  async function load(tenantId: string, id: string) {
    const row = await findDestination(db, tenantId, id);
    if (!row) throw notFound('Destination', id);
    return row;
  }

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

    get: async (tenantId: string, id: string): Promise<Destination> => presentDestination(await load(tenantId, id)),

    async list(tenantId: string, page: { limit: number; cursor?: Keyset }) {
      const rows = await listDestinations(db, tenantId, { limit: page.limit, ...(page.cursor ? { after: page.cursor } : {}) });
      const { items, nextCursor } = pageOf(rows, page.limit);
      return { items: items.map(presentDestination), nextCursor };
    },

    /**
     * Renames and/or rotates credentials. New credentials are checked against the destination's
     * type and sealed; when the destination has a base connection its `auth` is replaced at the
     * Platform first (PATCH with If-Match, flow-service.yaml `patchConnection`), then the row, both
     * under the lock the workers create the base connection under, so neither an export creating it
     * now nor a concurrent rotation can leave the Platform with other credentials than the row.
     * The Platform reads a base connection's auth at each run, so the next run uses the new ones.
     */
    async update(tenantId: string, id: string, body: UpdateDestinationBody): Promise<Destination> {
      const current = await load(tenantId, id);
      const rename = body.name === undefined ? {} : { name: body.name };
      if (body.credentials === undefined) {
        if (!(await updateDestination(db, tenantId, id, rename))) throw notFound('Destination', id);
        return presentDestination(await load(tenantId, id));
      }
      const credentialsSealed = secrets.seal(JSON.stringify(credentialsForType(current.type, body.credentials)));
      const tenant = await tenants.get(tenantId);
      if (!tenant) throw new AppError('unauthorized', 'The API key belongs to a tenant that no longer exists.');
      const outcome = await withTryAdvisoryLock(db, destinationLockKey(id), async (tx) => {
        const fresh = await findDestination(tx, tenantId, id);
        if (!fresh) throw notFound('Destination', id);
        let forgetBaseConnection = false;
        if (fresh.baseConnectionId !== null) {
          const { auth } = platformDestinationOf({ ...fresh, credentialsSealed }, secrets);
          try {
            if (auth === null) throw new Error(`a ${fresh.type} destination has no credentials to rotate`);
            await replaceBaseConnectionAuth(platforms.platformFor(tenant), fresh.baseConnectionId, auth);
          } catch (error) {
            // Deleted at the Platform: the next export creates it again, with the new credentials.
            if (!(error instanceof PlatformError && error.kind === 'not_found')) throw platformFailureToProblem(error);
            forgetBaseConnection = true;
          }
        }
        await updateDestination(tx, tenantId, id, { ...rename, credentialsSealed, ...(forgetBaseConnection ? { baseConnectionId: null } : {}) });
      });
      if (!outcome.acquired) {
        throw new AppError('conflict', `An export is creating destination ${id}'s Platform connection right now; retry in a few seconds.`, { headers: { 'retry-after': '2' } });
      }
      return presentDestination(await load(tenantId, id));
    },

    /**
     * Refused (409, naming them) while an export or a pipeline schedule uses it; the row stays
     * for the exports that reference it.
     */
    async remove(tenantId: string, id: string): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await findDestination(tx, tenantId, id);
        if (!row) throw notFound('Destination', id);
        // Lock the row so an export accepted concurrently either sees it deleted or blocks this delete.
        await tx.$queryRaw`SELECT id FROM destinations WHERE id = ${id}::uuid FOR UPDATE`;
        const exports = await exportsUsing(tx, tenantId, id, { active: activeExportStatuses, finishedRecurring: finishedRecurringStatuses }, now());
        const schedules = await pipelineSchedulesUsing(tx, tenantId, id);
        const pipelines = await runningPipelinesUsing(tx, tenantId, id, activePipelineStatuses);
        if (exports.length > 0 || schedules.length > 0 || pipelines.length > 0) {
          const named = [
            ...exports.slice(0, USERS_NAMED).map((e) => `export ${e.id} (${e.status}${e.schedule === null ? '' : ', recurring'})`),
            ...schedules.slice(0, USERS_NAMED).map((s) => `pipeline schedule "${s.name}" ${s.id} (${s.status})`),
            ...pipelines.slice(0, USERS_NAMED).map((p) => `pipeline "${p.name}" ${p.id} (${p.status})`),
          ];
          const more = [exports, schedules, pipelines].some((users) => users.length > USERS_NAMED);
          throw new AppError(
            'conflict',
            `Destination ${id} is in use by ${named.join(', ')}${more ? ' and more' : ''}; cancel the exports and pipelines (or wait for them) and delete the pipeline schedules first.`,
            {
              usedBy: {
                exports: exports.slice(0, USERS_NAMED).map((e) => ({ id: e.id, status: e.status, recurring: e.schedule !== null })),
                pipelineSchedules: schedules.slice(0, USERS_NAMED).map((s) => ({ id: s.id, name: s.name, status: s.status })),
                pipelines: pipelines.slice(0, USERS_NAMED).map((p) => ({ id: p.id, name: p.name, status: p.status })),
              },
            },
          );
        }
        if (!(await markDestinationDeleted(tx, tenantId, id))) throw notFound('Destination', id);
      });
    },
  };
}

export type DestinationService = ReturnType<typeof createDestinationService>;

// The Data Landing Zone endpoints of the Platform (Adobe: "Connect Data Landing Zone … using the
// Flow Service API"; aepp flowservice.getLandingZoneContainer / getLandingZoneCredential):
//   GET  /data/foundation/connectors/landingzone?type=user_drop_zone|dlz_destination
//   GET  /data/foundation/connectors/landingzone/credentials?type=…
//   POST /data/foundation/connectors/landingzone/credentials?type=…&action=refresh
// Each answers for the caller's org and sandbox only: the SAS opens that tenancy's container.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { DLZ_CONTAINER_TYPES, dlzContainerName, dlzCredentials, type DlzContainerType } from './dlz-containers.js';
import { StorageUnavailableError } from './simulator-storage.js';

const BASE = '/data/foundation/connectors/landingzone';

function containerType(raw: unknown): DlzContainerType | null {
  return (DLZ_CONTAINER_TYPES as readonly unknown[]).includes(raw) ? (raw as DlzContainerType) : null;
}

export function registerDlzRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const typeOf = (query: unknown): DlzContainerType | null => containerType((query as Record<string, unknown> | undefined)?.type);
  const badType = `type must be one of ${DLZ_CONTAINER_TYPES.join(', ')}`;

  app.get(BASE, async (request, reply) => {
    const type = typeOf(request.query);
    if (type === null) return sendError(reply, 400, messageError(badType));
    // Files in the landing zone live seven days (Adobe's DLZ docs); "containerTTL" is in days.
    return reply.send({ containerName: dlzContainerName(request.tenancy, type), containerTTL: '7' });
  });

  const credentials = async (query: unknown, tenancy: Parameters<typeof dlzCredentials>[1], reply: Parameters<typeof sendError>[0]) => {
    const type = typeOf(query);
    if (type === null) return sendError(reply, 400, messageError(badType));
    try {
      // The SAS is checked by the emulator against the wall clock, so it is minted on it too.
      return reply.send(await dlzCredentials(ctx.storage, tenancy, type, Date.now()));
    } catch (error) {
      if (error instanceof StorageUnavailableError) return sendError(reply, 503, messageError('The Data Landing Zone is not available (storage emulators are off).'));
      throw error;
    }
  };

  app.get(`${BASE}/credentials`, async (request, reply) => credentials(request.query, request.tenancy, reply));
  app.post(`${BASE}/credentials`, async (request, reply) => {
    const action = (request.query as Record<string, unknown> | undefined)?.action;
    if (action !== 'refresh') return sendError(reply, 400, messageError('action must be refresh'));
    return credentials(request.query, request.tenancy, reply);
  });
}

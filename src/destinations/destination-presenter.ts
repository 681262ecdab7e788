// A destination row as callers see it: parameters yes, credentials never (only whether some are
// stored; the sealed value is not even opened here).
import type { Destination as DestinationRow } from '../generated/prisma/client.js';
import type { Destination } from './destination-schemas.js';
import { destinationTypes, type DestinationType } from './destination-types.js';

function isDestinationType(value: string): value is DestinationType {
  return (destinationTypes as readonly string[]).includes(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function presentDestination(row: DestinationRow): Destination {
  if (!isDestinationType(row.type)) throw new Error(`destination ${row.id} has unknown type ${row.type}`);
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    params: asRecord(row.params),
    hasCredentials: row.credentialsSealed !== null,
    baseConnectionId: row.baseConnectionId,
    createdAt: row.createdAt.toISOString(),
  };
}

// Ids and etags shaped like the Platform's: ids are UUIDs, etags are quoted version strings.
import { randomBytes, randomUUID } from 'node:crypto';

export function newEntityId(): string {
  return randomUUID();
}

/** A fresh etag including its double quotes, e.g. "\"1f00a2b3-0000-0200-0000-65a1b2c30000\"". */
export function newEtag(): string {
  const hex = randomBytes(10).toString('hex');
  return `"${hex.slice(0, 8)}-0000-0200-0000-${hex.slice(8, 20)}"`;
}

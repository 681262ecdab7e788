// DLZ credentials per tenant and container type, fetched from the Platform once and reused until
// shortly before they expire; concurrent callers share one request (single flight).
import type { DlzContainerType, DlzCredentials, DlzCredentialSource } from './dlz-credentials.js';

/** Refetch this long before expiry, so a store opened now still works for a while. */
export const DLZ_REFRESH_MARGIN_MS = 5 * 60_000;

export interface DlzCredentialFetcher {
  (tenantId: string, type: DlzContainerType): Promise<DlzCredentials>;
}

export function createDlzCredentialCache(fetch: DlzCredentialFetcher, options: { now?: () => number; marginMs?: number } = {}): DlzCredentialSource {
  const now = options.now ?? Date.now;
  const margin = options.marginMs ?? DLZ_REFRESH_MARGIN_MS;
  const cached = new Map<string, DlzCredentials>();
  const inFlight = new Map<string, Promise<DlzCredentials>>();

  return {
    get(tenantId, type) {
      const key = `${tenantId}\n${type}`;
      const hit = cached.get(key);
      if (hit !== undefined && hit.expiresAt.getTime() - margin > now()) return Promise.resolve(hit);
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = fetch(tenantId, type)
          .then((fresh) => {
            cached.set(key, fresh);
            return fresh;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}

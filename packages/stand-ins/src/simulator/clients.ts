// The simulator's OAuth clients (SIMULATOR_CLIENTS = clientId:clientSecret:orgId[,...]), with the
// local default client. The service reads the same variable for its local bootstrap (`npm start`,
// `admin bootstrap` bind a tenant to the first client), with its own reader: the two meet only in
// the environment, as a real Adobe org's credentials would.
import { z } from 'zod';

/** The local tenant every fresh simulator knows; the service binds its local tenant to it. */
export const DEFAULT_SIMULATOR_CLIENT_ID = 'local-simulator-client';
export const DEFAULT_SIMULATOR_CLIENT_SECRET = 'local-simulator-secret';
export const DEFAULT_SIMULATOR_ORG_ID = 'LOCALDEV0000000000000000@AdobeOrg';

export interface SimulatorClient {
  clientId: string;
  clientSecret: string;
  orgId: string;
}

export const DEFAULT_SIMULATOR_CLIENTS: SimulatorClient[] = [
  { clientId: DEFAULT_SIMULATOR_CLIENT_ID, clientSecret: DEFAULT_SIMULATOR_CLIENT_SECRET, orgId: DEFAULT_SIMULATOR_ORG_ID },
];

export const simulatorClientsSchema = z
  .string()
  .trim()
  .min(1)
  .transform((raw, ctx) => {
    const clients: SimulatorClient[] = [];
    for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
      const [clientId, clientSecret, orgId, ...rest] = entry.split(':');
      if (!clientId || !clientSecret || !orgId || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'expected clientId:clientSecret:orgId[,...]' });
        return z.NEVER;
      }
      clients.push({ clientId, clientSecret, orgId });
    }
    return clients;
  });

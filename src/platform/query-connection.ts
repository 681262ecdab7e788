// Query Service's credentials for its PostgreSQL interface: `GET /data/foundation/query/connection_parameters`
// (query-service.yaml `listConnectionParameters`; aepp's `QueryService.connection()`, whose
// `InteractiveQuery` connects with host, port, username, token as password and dbName). Per the
// spec, `username` is the org id and `token` the IMS token "as it was received in the request";
// `dbName` is "{sandbox}:all" and the port 80 on Adobe's hosts.
import { z } from 'zod';

export const QUERY_CONNECTION_PATH = '/data/foundation/query/connection_parameters';

export const QueryConnectionSchema = z.looseObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  username: z.string().min(1),
  token: z.string().min(1),
  dbName: z.string().min(1),
});
export type QueryConnection = z.infer<typeof QueryConnectionSchema>;

// Databricks job notifications carry no signature (reference 7.1, pitfall 11): a notification
// destination authenticates with basic auth (or an OAuth/bearer token). Both are compared in
// constant time against the configured credentials, after hashing so lengths match.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface DatabricksWebhookCredentials {
  basic?: { username: string; password: string };
  bearerToken?: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

export type DatabricksAuthResult = 'ok' | 'missing' | 'invalid' | 'not_configured';

export function checkDatabricksAuth(authorization: string | undefined, credentials: DatabricksWebhookCredentials): DatabricksAuthResult {
  if (credentials.basic === undefined && credentials.bearerToken === undefined) return 'not_configured';
  const header = authorization?.trim() ?? '';
  if (header === '') return 'missing';
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (basic?.[1] !== undefined && credentials.basic !== undefined) {
    const expected = `${credentials.basic.username}:${credentials.basic.password}`;
    return same(Buffer.from(basic[1], 'base64').toString('utf8'), expected) ? 'ok' : 'invalid';
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1] !== undefined && credentials.bearerToken !== undefined) return same(bearer[1], credentials.bearerToken) ? 'ok' : 'invalid';
  return 'invalid';
}

// API keys: `aepj_<prefix>_<secret>`. The prefix is visible and indexed; only a SHA-256 of the
// secret is stored (the secret is 32 random bytes, so a slow KDF adds nothing but latency).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type ApiKeyRole = 'admin' | 'tenant';

export interface IssuedApiKey {
  /** The whole key, shown once. */
  key: string;
  prefix: string;
  secretHash: string;
}

const keyPattern = /^aepj_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function issueApiKey(): IssuedApiKey {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { key: `aepj_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/** A key chosen by the operator (BOOTSTRAP_API_KEY) must still have our shape. */
export function apiKeyFromString(key: string): IssuedApiKey | null {
  const parsed = parseApiKey(key);
  return parsed ? { key, prefix: parsed.prefix, secretHash: hashSecret(parsed.secret) } : null;
}

export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const m = keyPattern.exec(key);
  return m ? { prefix: m[1]!, secret: m[2]! } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

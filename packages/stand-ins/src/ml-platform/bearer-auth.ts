// Databricks-style personal access tokens: `Authorization: Bearer <token>` checked against the
// configured list. Both sides are hashed first, so the constant-time comparison sees equal lengths.
import { createHash, timingSafeEqual } from 'node:crypto';

export type BearerCheck = 'ok' | 'missing' | 'invalid';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function checkBearerToken(authorization: string | undefined, tokens: readonly string[]): BearerCheck {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const presented = match?.[1];
  if (presented === undefined) return 'missing';
  const presentedDigest = digest(presented);
  let matched = false;
  for (const token of tokens) if (timingSafeEqual(presentedDigest, digest(token))) matched = true;
  return matched ? 'ok' : 'invalid';
}

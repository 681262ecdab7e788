// A fingerprint of a request body for Idempotency-Key matching: SHA-256 of its JSON with object keys
// sorted, so the same body sent with other key order or whitespace matches, and any other value does not.
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, canonical(record[key])]),
  );
}

/** Hex SHA-256 of the canonical JSON of a parsed body (no body hashes like `null`). */
export function bodyFingerprint(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(body ?? null)))
    .digest('hex');
}

// Postgres access for Idempotency-Key records (table idempotency_keys, key (tenant_id, key)). A claim
// is one INSERT ... ON CONFLICT that also takes over an expired or abandoned record; finishing is one
// UPDATE guarded by the claim's instant, so a request never overwrites a record it no longer owns.
import type { DbOrTx } from '../db/client.js';

export interface IdempotencyRequest {
  tenantId: string;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
}

/** What a write stores for the key next to the row it creates. */
export interface SealedAnswerRecord {
  key: string;
  method: string;
  path: string;
  bodyHash: string;
  statusCode: number;
  sealedBody: string;
  headers: Record<string, string>;
  ttlSeconds: number;
}

export const idempotencyStates = ['in_progress', 'done'] as const;
export type IdempotencyState = (typeof idempotencyStates)[number];

export interface StoredIdempotencyRecord {
  method: string;
  path: string;
  bodyHash: string;
  state: IdempotencyState;
  statusCode: number | null;
  /** The response body as first sent, sealed (src/crypto/secret-box.ts). */
  body: string | null;
  headers: Record<string, string>;
}

export interface StoredResponse {
  statusCode: number;
  /** Sealed by the caller. */
  body: string;
  headers: Record<string, string>;
}

/** A claim on a key: the instant identifies this request's ownership of the record. */
export interface IdempotencyClaim {
  tenantId: string;
  key: string;
  claimedAt: Date;
}

/**
 * An in-progress record older than this is taken to belong to a request whose process died before
 * it could finish or release it (requests time out long before).
 */
export const abandonedAfterMs = 5 * 60_000;

/** Claims the key, or returns null when a live record holds it. */
export async function claimIdempotencyKey(db: DbOrTx, req: IdempotencyRequest, ttlSeconds: number): Promise<IdempotencyClaim | null> {
  const rows = await db.$queryRaw<{ created_at: Date }[]>`
    INSERT INTO idempotency_keys (tenant_id, key, method, path, body_hash, state, created_at, expires_at)
    VALUES (${req.tenantId}::uuid, ${req.key}, ${req.method}, ${req.path}, ${req.bodyHash}, 'in_progress',
            clock_timestamp(), clock_timestamp() + make_interval(secs => ${ttlSeconds}))
    ON CONFLICT (tenant_id, key) DO UPDATE SET
      method = EXCLUDED.method, path = EXCLUDED.path, body_hash = EXCLUDED.body_hash, state = 'in_progress',
      status_code = NULL, response_body = NULL, headers = NULL,
      created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    WHERE idempotency_keys.expires_at <= clock_timestamp()
       OR (idempotency_keys.state = 'in_progress'
           AND idempotency_keys.created_at <= clock_timestamp() - make_interval(secs => ${abandonedAfterMs / 1000}))
    RETURNING created_at`;
  const row = rows[0];
  return row ? { tenantId: req.tenantId, key: req.key, claimedAt: row.created_at } : null;
}

export async function findIdempotencyRecord(db: DbOrTx, tenantId: string, key: string): Promise<StoredIdempotencyRecord | null> {
  const rows = await db.$queryRaw<
    { method: string; path: string; body_hash: string; state: string; status_code: number | null; response_body: unknown; headers: unknown }[]
  >`
    SELECT method, path, body_hash, state, status_code, response_body, headers
    FROM idempotency_keys WHERE tenant_id = ${tenantId}::uuid AND key = ${key} AND expires_at > clock_timestamp()`;
  const row = rows[0];
  if (!row) return null;
  const headers = row.headers !== null && typeof row.headers === 'object' ? (row.headers as Record<string, string>) : {};
  return {
    method: row.method,
    path: row.path,
    bodyHash: row.body_hash,
    state: row.state === 'done' ? 'done' : 'in_progress',
    statusCode: row.status_code,
    body: typeof row.response_body === 'string' ? row.response_body : null,
    headers,
  };
}

/**
 * Records a finished answer for a key nobody holds (or whose record expired), in one statement;
 * false when another request's record holds the key. For routes that write no claim first.
 */
export async function recordIdempotentAnswer(db: DbOrTx, tenantId: string, record: SealedAnswerRecord): Promise<boolean> {
  const rows = await db.$queryRaw<{ key: string }[]>`
    INSERT INTO idempotency_keys (tenant_id, key, method, path, body_hash, state, status_code, response_body, headers, created_at, expires_at)
    VALUES (${tenantId}::uuid, ${record.key}, ${record.method}, ${record.path}, ${record.bodyHash}, 'done', ${record.statusCode},
            ${JSON.stringify(record.sealedBody)}::jsonb, ${JSON.stringify(record.headers)}::jsonb,
            clock_timestamp(), clock_timestamp() + make_interval(secs => ${record.ttlSeconds}))
    ON CONFLICT (tenant_id, key) DO UPDATE SET
      method = EXCLUDED.method, path = EXCLUDED.path, body_hash = EXCLUDED.body_hash, state = EXCLUDED.state,
      status_code = EXCLUDED.status_code, response_body = EXCLUDED.response_body, headers = EXCLUDED.headers,
      created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    WHERE idempotency_keys.expires_at <= clock_timestamp()
    RETURNING key`;
  return rows.length === 1;
}

/** Stores the first response; false when the claim was lost meanwhile. */
export async function completeIdempotencyKey(db: DbOrTx, claim: IdempotencyClaim, response: StoredResponse): Promise<boolean> {
  // The body is kept as a JSON string value, so it is replayed byte for byte.
  const count = await db.$executeRaw`
    UPDATE idempotency_keys
    SET state = 'done', status_code = ${response.statusCode},
        response_body = ${JSON.stringify(response.body)}::jsonb, headers = ${JSON.stringify(response.headers)}::jsonb
    WHERE tenant_id = ${claim.tenantId}::uuid AND key = ${claim.key} AND state = 'in_progress' AND created_at = ${claim.claimedAt}`;
  return count === 1;
}

/** Forgets a claim whose request failed (5xx), so a retry with the key runs again. */
export async function releaseIdempotencyKey(db: DbOrTx, claim: IdempotencyClaim): Promise<void> {
  await db.$executeRaw`
    DELETE FROM idempotency_keys
    WHERE tenant_id = ${claim.tenantId}::uuid AND key = ${claim.key} AND state = 'in_progress' AND created_at = ${claim.claimedAt}`;
}

/** Deletes expired records; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: DbOrTx): Promise<number> {
  return db.$executeRaw`DELETE FROM idempotency_keys WHERE expires_at <= clock_timestamp()`;
}

// IMS access tokens: opaque random strings, stored as SHA-256 hashes with client, org and expiry.
// A grant read is kept for at most a second (every call of a busy client carries the same token;
// the gateway checks the expiry on every call, cached or not), and expiring tokens through this
// store forgets what it kept. Another simulator process sharing the schema may accept an expired
// token for up to that second.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../../common/sql-ident.js';

export interface TokenGrant {
  clientId: string;
  orgId: string;
  expiresAtMs: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** How long a grant read from the table is reused (real time). */
const GRANT_CACHE_MS = 1000;
/** More cached grants than this (a token per call?) and the cache starts over. */
const GRANT_CACHE_MAX = 10_000;

export class PgTokenStore {
  private readonly table: string;
  private readonly grants = new Map<string, { grant: TokenGrant; untilMs: number }>();

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.ims_tokens`;
  }

  /** Issues a new token; the caller returns it once, only its hash is kept. */
  async issue(grant: TokenGrant): Promise<string> {
    const token = `sim.${randomBytes(32).toString('base64url')}`;
    await this.pool.query(
      `INSERT INTO ${this.table} (token_hash, client_id, org_id, expires_at_ms) VALUES ($1, $2, $3, $4)`,
      [hashToken(token), grant.clientId, grant.orgId, grant.expiresAtMs],
    );
    return token;
  }

  /** The grant behind a token, or null when unknown (expiry is the caller's decision, on every call). */
  async find(token: string): Promise<TokenGrant | null> {
    const hash = hashToken(token);
    const cached = this.grants.get(hash);
    if (cached !== undefined && cached.untilMs > performance.now()) return cached.grant;
    const { rows } = await this.pool.query<{ client_id: string; org_id: string; expires_at_ms: string }>(
      `SELECT client_id, org_id, expires_at_ms FROM ${this.table} WHERE token_hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (row === undefined) {
      this.grants.delete(hash);
      return null;
    }
    const grant = { clientId: row.client_id, orgId: row.org_id, expiresAtMs: Number(row.expires_at_ms) };
    if (this.grants.size >= GRANT_CACHE_MAX) this.grants.clear();
    this.grants.set(hash, { grant, untilMs: performance.now() + GRANT_CACHE_MS });
    return grant;
  }

  /** Expires every token issued so far (the admin route tests use to force a 401); returns how many. */
  async expireAll(): Promise<number> {
    const { rowCount } = await this.pool.query(`UPDATE ${this.table} SET expires_at_ms = 0`);
    this.grants.clear();
    return rowCount ?? 0;
  }
}

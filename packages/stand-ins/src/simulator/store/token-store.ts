// IMS access tokens: opaque random strings, stored as SHA-256 hashes with client, org and expiry.
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

export class PgTokenStore {
  private readonly table: string;

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

  /** The grant behind a token, or null when unknown (expiry is the caller's decision). */
  async find(token: string): Promise<TokenGrant | null> {
    const { rows } = await this.pool.query<{ client_id: string; org_id: string; expires_at_ms: string }>(
      `SELECT client_id, org_id, expires_at_ms FROM ${this.table} WHERE token_hash = $1`,
      [hashToken(token)],
    );
    const row = rows[0];
    return row === undefined ? null : { clientId: row.client_id, orgId: row.org_id, expiresAtMs: Number(row.expires_at_ms) };
  }
}

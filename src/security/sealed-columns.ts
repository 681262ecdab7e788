// Every column that holds a value sealed by src/crypto/secret-box.ts, with how to page through the rows
// not yet sealed with a given key and how to replace one value only if it is unchanged (compare and
// swap, so a rotation never overwrites a concurrent write). A new sealed column must be added here,
// or key rotation would leave it behind.
import type { DbOrTx } from '../db/client.js';

export interface SealedValue {
  /** Opaque row position, for resuming after it. */
  cursor: string;
  /** Row id for reports (never the value). */
  id: string;
  sealed: string;
}

export interface SealedColumn {
  name: string;
  /** Rows after `after` (null: from the start) whose value does not begin with `prefix`, in a stable order. */
  page(db: DbOrTx, prefix: string, after: string | null, take: number): Promise<SealedValue[]>;
  /** Sets the value to `to` if it still is `from`; false when it changed meanwhile. */
  replace(db: DbOrTx, value: SealedValue, from: string, to: string): Promise<boolean>;
}

const tenantSecrets: SealedColumn = {
  name: 'tenants.client_secret_sealed',
  async page(db, prefix, after, take) {
    const rows = await db.$queryRaw<{ id: string; sealed: string }[]>`
      SELECT id::text AS id, client_secret_sealed AS sealed FROM tenants
      WHERE client_secret_sealed <> '' AND left(client_secret_sealed, ${prefix.length}::int) <> ${prefix}
        AND (${after}::uuid IS NULL OR id > ${after}::uuid)
      ORDER BY id LIMIT ${take}::int`;
    return rows.map((r) => ({ cursor: r.id, id: r.id, sealed: r.sealed }));
  },
  async replace(db, value, from, to) {
    return (await db.$executeRaw`UPDATE tenants SET client_secret_sealed = ${to} WHERE id = ${value.id}::uuid AND client_secret_sealed = ${from}`) === 1;
  },
};

const destinationCredentials: SealedColumn = {
  name: 'destinations.credentials_sealed',
  async page(db, prefix, after, take) {
    const rows = await db.$queryRaw<{ id: string; sealed: string }[]>`
      SELECT id::text AS id, credentials_sealed AS sealed FROM destinations
      WHERE credentials_sealed IS NOT NULL AND left(credentials_sealed, ${prefix.length}::int) <> ${prefix}
        AND (${after}::uuid IS NULL OR id > ${after}::uuid)
      ORDER BY id LIMIT ${take}::int`;
    return rows.map((r) => ({ cursor: r.id, id: r.id, sealed: r.sealed }));
  },
  async replace(db, value, from, to) {
    return (await db.$executeRaw`UPDATE destinations SET credentials_sealed = ${to} WHERE id = ${value.id}::uuid AND credentials_sealed = ${from}`) === 1;
  },
};

/** Stored Idempotency-Key answers (a JSON string holding the sealed body); key (tenant_id, key). */
const idempotencyAnswers: SealedColumn = {
  name: 'idempotency_keys.response_body',
  async page(db, prefix, after, take) {
    const [afterTenant, afterKey] = after === null ? [null, null] : (JSON.parse(after) as [string, string]);
    const rows = await db.$queryRaw<{ tenant_id: string; key: string; sealed: string }[]>`
      SELECT tenant_id::text AS tenant_id, key, response_body #>> '{}' AS sealed FROM idempotency_keys
      WHERE jsonb_typeof(response_body) = 'string' AND left(response_body #>> '{}', ${prefix.length}::int) <> ${prefix}
        AND (${afterTenant}::uuid IS NULL OR (tenant_id, key) > (${afterTenant}::uuid, ${afterKey}::text))
      ORDER BY tenant_id, key LIMIT ${take}::int`;
    return rows.map((r) => ({ cursor: JSON.stringify([r.tenant_id, r.key]), id: `${r.tenant_id}/${r.key}`, sealed: r.sealed }));
  },
  async replace(db, value, from, to) {
    const [tenantId, key] = JSON.parse(value.cursor) as [string, string];
    return (
      (await db.$executeRaw`
        UPDATE idempotency_keys SET response_body = to_jsonb(${to}::text)
        WHERE tenant_id = ${tenantId}::uuid AND key = ${key} AND response_body #>> '{}' = ${from}`) === 1
    );
  },
};

/** A nullable sealed text column keyed by a uuid `id` (tables and columns are fixed names, never input). */
function nullableUuidColumn(table: string, column: string): SealedColumn {
  return {
    name: `${table}.${column}`,
    async page(db, prefix, after, take) {
      const rows = await db.$queryRawUnsafe<{ id: string; sealed: string }[]>(
        `SELECT id::text AS id, ${column} AS sealed FROM ${table}
         WHERE ${column} IS NOT NULL AND left(${column}, $1::int) <> $2 AND ($3::uuid IS NULL OR id > $3::uuid)
         ORDER BY id LIMIT $4::int`,
        prefix.length,
        prefix,
        after,
        take,
      );
      return rows.map((r) => ({ cursor: r.id, id: r.id, sealed: r.sealed }));
    },
    async replace(db, value, from, to) {
      return (await db.$executeRawUnsafe(`UPDATE ${table} SET ${column} = $1 WHERE id = $2::uuid AND ${column} = $3`, to, value.id, from)) === 1;
    },
  };
}

/** Pipeline and notification secrets (src/pipelines, src/notifications). */
const pipelineSecrets: SealedColumn[] = [
  nullableUuidColumn('tenants', 'notification_secret_sealed'),
  nullableUuidColumn('pipelines', 'callback_secret_sealed'),
  nullableUuidColumn('pipelines', 'ml_platform_token_sealed'),
  nullableUuidColumn('pipeline_steps', 'webhook_secret_sealed'),
];

export const sealedColumns: readonly SealedColumn[] = [tenantSecrets, destinationCredentials, idempotencyAnswers, ...pipelineSecrets];

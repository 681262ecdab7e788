// Keyset pagination shared by the list routes, their services and stores (hence outside http/):
// newest first by (createdAt desc, id desc), with an opaque cursor naming the last row of the
// previous page. Stable under concurrent inserts, unlike offsets. The cursor is base64url JSON; callers must treat it as opaque.
import { z } from 'zod';

export interface Keyset {
  createdAt: Date;
  id: string;
}

const KeysetJsonSchema = z.object({ c: z.iso.datetime(), i: z.uuid() }).strict();

export function encodeCursor(row: Keyset): string {
  return Buffer.from(JSON.stringify({ c: row.createdAt.toISOString(), i: row.id })).toString('base64url');
}

export function decodeCursor(cursor: string): Keyset | null {
  try {
    const parsed = KeysetJsonSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data.c), id: parsed.data.i } : null;
  } catch {
    return null;
  }
}

/** `cursor` query parameter: decoded while validating, so a bad one is a 400 naming `cursor`. */
export const CursorQuerySchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const keyset = decodeCursor(value);
    if (!keyset) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    }
    return keyset;
  })
  .describe('Opaque cursor from the previous page\'s `nextCursor`.');

export const LimitQuerySchema = z.coerce.number().int().min(1).max(100).default(20).describe('Page size, 1 to 100.');

/** Fetch one row more than the page size to learn whether another page exists. */
export function pageOf<T extends Keyset>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** Prisma `where` fragment for "after this keyset" in (createdAt desc, id desc) order. */
export function afterKeyset(keyset: Keyset | undefined) {
  if (!keyset) return {};
  // The redundant `createdAt <= c` gives the (tenant, createdAt desc, id desc) index a range to
  // start from; with the OR alone Postgres reads and drops every newer row, so page N costs O(N).
  return {
    createdAt: { lte: keyset.createdAt },
    OR: [{ createdAt: { lt: keyset.createdAt } }, { createdAt: keyset.createdAt, id: { lt: keyset.id } }],
  };
}

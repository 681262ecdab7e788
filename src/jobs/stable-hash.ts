// The hash inside the deterministic names of what jobs create outside (Platform objects, tables,
// idempotency tokens): the same parts always give the same name, so a create whose answer was lost
// is found by name instead of being made twice.
import { createHash } from 'node:crypto';

export function stableHash(parts: readonly (string | number)[], length = 24): string {
  // JSON keeps the parts unambiguous ("a|b" + "c" never equals "a" + "b|c").
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

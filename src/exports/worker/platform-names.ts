// Deterministic names of the Platform objects an export creates. Before creating anything the
// worker looks the object up by this name, so a create whose response was lost (or a database
// restored from an older backup) finds the object instead of making a second one.
import { createHash } from 'node:crypto';

export type PlatformObjectKind = 'base' | 'source' | 'target' | 'flow';

/** What makes a flow binding unique (the FlowBinding unique key). */
export interface BindingKey {
  tenantId: string;
  destinationId: string;
  datasetId: string;
  path: string;
  format: string;
  compression: string;
  scheduleKey: string;
}

function stableHash(parts: readonly string[]): string {
  // JSON keeps the parts unambiguous ("a|b" + "c" never equals "a" + "b|c").
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

/** `aepjobs-base-<hash>`: one base connection per destination. */
export function baseConnectionName(tenantId: string, destinationId: string): string {
  return `aepjobs-base-${stableHash([tenantId, destinationId])}`;
}

/** `aepjobs-<source|target|flow>-<hash of the binding key>`. */
export function bindingObjectName(kind: Exclude<PlatformObjectKind, 'base'>, key: BindingKey): string {
  return `aepjobs-${kind}-${stableHash([key.tenantId, key.destinationId, key.datasetId, key.path, key.format, key.compression, key.scheduleKey])}`;
}

/** On-demand exports of one binding share a parked flow; a recurring export owns its flow. */
export function scheduleKeyOf(exportId: string, schedule: unknown): string {
  return schedule === null || schedule === undefined ? 'on-demand' : `recurring:${exportId}`;
}

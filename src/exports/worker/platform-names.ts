// Deterministic names of the Platform objects an export creates. Before creating anything the
// worker looks the object up by this name, so a create whose response was lost (or a database
// restored from an older backup) finds the object instead of making a second one.
import { stableHash } from '../../jobs/stable-hash.js';

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

// The base connection's name lives with its destination (src/destinations/base-connection.ts).

/** `aepjobs-<source|target|flow>-<hash of the binding key>`. */
export function bindingObjectName(kind: Exclude<PlatformObjectKind, 'base'>, key: BindingKey): string {
  return `aepjobs-${kind}-${stableHash([key.tenantId, key.destinationId, key.datasetId, key.path, key.format, key.compression, key.scheduleKey])}`;
}

/** On-demand exports of one binding share a parked flow; a recurring export owns its flow. */
export function scheduleKeyOf(exportId: string, schedule: unknown): string {
  return schedule === null || schedule === undefined ? 'on-demand' : `recurring:${exportId}`;
}

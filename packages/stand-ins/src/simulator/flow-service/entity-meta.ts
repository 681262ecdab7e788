// Fields every Flow Service entity carries (who created it, where, when), derived from the
// caller's tenancy and IMS client.
import { createHash } from 'node:crypto';
import type { Tenancy } from '../context.js';

export interface Caller {
  tenancy: Tenancy;
  clientId: string;
}

export interface EntityMeta {
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  updatedBy: string;
  createdClient: string;
  updatedClient: string;
  sandboxId: string;
  sandboxName: string;
  imsOrgId: string;
}

/** A stable UUID-shaped sandbox id, so the same org and sandbox name always give the same id. */
export function sandboxIdFor(t: Tenancy): string {
  const hex = createHash('sha256').update(`${t.orgId}/${t.sandbox}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function userOf(clientId: string): string {
  return `${clientId}@AdobeID`;
}

export function newEntityMeta(caller: Caller, nowMs: number): EntityMeta {
  return {
    createdAt: nowMs,
    updatedAt: nowMs,
    createdBy: userOf(caller.clientId),
    updatedBy: userOf(caller.clientId),
    createdClient: caller.clientId,
    updatedClient: caller.clientId,
    sandboxId: sandboxIdFor(caller.tenancy),
    sandboxName: caller.tenancy.sandbox,
    imsOrgId: caller.tenancy.orgId,
  };
}

/** The fields an update changes: when and by whom. */
export function touchedMeta(caller: Caller, nowMs: number): Pick<EntityMeta, 'updatedAt' | 'updatedBy' | 'updatedClient'> {
  return { updatedAt: nowMs, updatedBy: userOf(caller.clientId), updatedClient: caller.clientId };
}

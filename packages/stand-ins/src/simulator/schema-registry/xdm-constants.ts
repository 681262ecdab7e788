// Fixed values of the simulated Schema Registry. Every org's tenant is `cmle`, the namespace the
// synthetic datasets already use (`_cmle.userid`), so the notebooks' `_{TENANT}` paths line up.
import { SYNTHETIC_TENANT_FIELD } from '../datasets/synthetic-events.js';

export const TENANT_NAMESPACE = SYNTHETIC_TENANT_FIELD;
export const TENANT_ID = TENANT_NAMESPACE.replace(/^_/, '');

export const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
export const EXPERIENCE_EVENT_CLASS = 'https://ns.adobe.com/xdm/context/experienceevent';

/** What each supported class extends (the registry's `meta:extends`). */
export const CLASS_EXTENDS: Record<string, string[]> = {
  [PROFILE_CLASS]: ['https://ns.adobe.com/xdm/common/auditable', 'https://ns.adobe.com/xdm/data/record', PROFILE_CLASS],
  [EXPERIENCE_EVENT_CLASS]: ['https://ns.adobe.com/xdm/data/time-series', EXPERIENCE_EVENT_CLASS],
};

export const IDENTITY_DESCRIPTOR = 'xdm:descriptorIdentity';
export const DESCRIPTOR_TYPES = ['xdm:alternateDisplayInfo', IDENTITY_DESCRIPTOR, 'xdm:descriptorReferenceIdentity', 'xdm:descriptorOneToOne', 'xdm:descriptorRelationship'] as const;

export const XDM_GLOBAL_PREFIX = 'https://ns.adobe.com/xdm/';
export const REGISTRY_BASE = '/data/foundation/schemaregistry';

// Schema Registry (`/data/foundation/schemaregistry`): the tenant id, tenant field groups,
// schemas, descriptors, and enabling a schema for Profile. Lookups by title use the list routes
// with `property=title==…`; where a Platform does not offer them (the local simulator) they return
// null and the caller creates.
import type { CallOptions } from './client.js';
import { isNotFound, type PipelineSend } from './pipeline-call.js';
import { DescriptorSchema, RegistryStatsSchema, XdmListSchema, XdmResourceSchema, type XdmResource } from './pipeline-types.js';
import { parseBody } from './responses.js';

const REGISTRY = '/data/foundation/schemaregistry';
const XDM_JSON = 'application/vnd.adobe.xed+json';
const XDM_ID_LIST = 'application/vnd.adobe.xed-id+json';
const call = { area: 'datasets' as const, subject: 'schema registry resource', permission: 'Manage Schemas' };

export type RegistryCollection = 'fieldgroups' | 'schemas';

export function registryMethods(send: PipelineSend) {
  async function createResource(collection: RegistryCollection, body: unknown, opts?: CallOptions): Promise<XdmResource> {
    const meta = { ...call, endpoint: `${collection}.create`, ambiguous: true };
    const response = await send({ ...meta, method: 'POST', path: `${REGISTRY}/tenant/${collection}`, accept: XDM_JSON, body, safety: 'create' }, opts);
    return parseBody(XdmResourceSchema, response, meta);
  }

  async function findByTitle(collection: RegistryCollection, title: string, opts?: CallOptions): Promise<XdmResource | null> {
    const meta = { ...call, endpoint: `${collection}.list` };
    try {
      const response = await send(
        { ...meta, method: 'GET', path: `${REGISTRY}/tenant/${collection}`, accept: XDM_ID_LIST, query: [['property', `title==${title}`]] },
        opts,
      );
      return parseBody(XdmListSchema, response, meta).results.find((r) => r.title === title) ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  return {
    /** The org's tenant id (custom fields live under `_{tenantId}`). */
    async getRegistryTenantId(opts?: CallOptions): Promise<string> {
      const meta = { ...call, endpoint: 'registry.stats' };
      const response = await send({ ...meta, method: 'GET', path: `${REGISTRY}/stats`, accept: 'application/json' }, opts);
      return parseBody(RegistryStatsSchema, response, meta).tenantId;
    },
    createFieldGroup: (body: unknown, opts?: CallOptions) => createResource('fieldgroups', body, opts),
    createSchema: (body: unknown, opts?: CallOptions) => createResource('schemas', body, opts),
    findFieldGroupByTitle: (title: string, opts?: CallOptions) => findByTitle('fieldgroups', title, opts),
    findSchemaByTitle: (title: string, opts?: CallOptions) => findByTitle('schemas', title, opts),

    async createDescriptor(body: unknown, opts?: CallOptions): Promise<{ id: string }> {
      const meta = { ...call, endpoint: 'descriptors.create', ambiguous: true };
      const response = await send({ ...meta, method: 'POST', path: `${REGISTRY}/tenant/descriptors`, accept: XDM_JSON, body, safety: 'create' }, opts);
      return { id: parseBody(DescriptorSchema, response, meta)['@id'] };
    },

    /** `meta:immutableTags: ["union"]` (aepp's enableSchemaForRealTime); needs a primary identity. */
    async enableSchemaForProfile(schemaAltId: string, opts?: CallOptions): Promise<void> {
      await send(
        {
          ...call,
          endpoint: 'schemas.patch',
          method: 'PATCH',
          path: `${REGISTRY}/tenant/schemas/${encodeURIComponent(schemaAltId)}`,
          accept: XDM_JSON,
          body: [{ op: 'add', path: '/meta:immutableTags', value: ['union'] }],
        },
        opts,
      );
    },
  };
}

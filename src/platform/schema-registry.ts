// Schema Registry (`/data/foundation/schemaregistry`, schema-registry.yaml): the tenant id
// (`retrieveStats`), tenant field groups and schemas (`createFieldGroup`, `createSchema`,
// `listFieldGroups`, `listSchemas`), descriptors (`createDescriptor`), enabling a schema for Profile
// (`patchSchema`), and a dataset schema's resolved fields (`retrieveSchema`). Lookups by title page
// through the tenant's list and match the title here.
import type { CallOptions, Send } from './call-executor.js';
import { DescriptorSchema, RegistryStatsSchema, XdmListSchema, XdmResourceSchema, type XdmResource } from './pipeline-types.js';
import { findInPages, pagesOf, type Page } from './paging.js';
import { parseBody } from './responses.js';
import { flattenSchemaFields, ResolvedSchemaSchema, schemaContainerOf, XDM_FULL_ACCEPT, type SchemaField } from './schema-fields.js';

const REGISTRY = '/data/foundation/schemaregistry';
const XDM_JSON = 'application/vnd.adobe.xed+json';
const XDM_ID_LIST = 'application/vnd.adobe.xed-id+json';
/** Hint of items per list page (the registry allows up to 500). */
const LIST_PAGE_SIZE = 100;
/** A bound on pages read by one lookup, so a misbehaving `next` cannot loop forever. */
const MAX_LIST_PAGES = 1000;
const call = { area: 'datasets' as const, subject: 'schema registry resource', permission: 'Manage Schemas' };

export type RegistryCollection = 'fieldgroups' | 'schemas';

export function registryMethods(send: Send) {
  async function createResource(collection: RegistryCollection, body: unknown, opts?: CallOptions): Promise<XdmResource> {
    const meta = { ...call, endpoint: `${collection}.create`, ambiguous: true };
    const response = await send({ ...meta, method: 'POST', path: `${REGISTRY}/tenant/${collection}`, accept: XDM_JSON, body, safety: 'create' }, opts);
    return parseBody(XdmResourceSchema, response, meta);
  }

  /**
   * Pages through the tenant's resources ordered by title and matches the title itself: `start`
   * is the last title of the previous page (schema-registry.yaml `start`: "the maximum value of
   * the primary sort property ... received in the previous page"), `limit` is only a hint, and
   * `_page.next` is null on the last page.
   */
  async function findByTitle(collection: RegistryCollection, title: string, opts?: CallOptions): Promise<XdmResource | null> {
    const meta = { ...call, endpoint: `${collection}.list` };
    const readPage = async (start: string | undefined): Promise<Page<XdmResource, string>> => {
      const response = await send(
        {
          ...meta,
          method: 'GET',
          path: `${REGISTRY}/tenant/${collection}`,
          accept: XDM_ID_LIST,
          query: [['orderby', 'title'], ['limit', LIST_PAGE_SIZE], ...(start === undefined ? [] : ([['start', start]] as const))],
        },
        opts,
      );
      const listed = parseBody(XdmListSchema, response, meta);
      const last = listed.results.at(-1)?.title;
      const isLast = listed._page?.next === null || listed._page?.next === undefined || last === undefined || last === start;
      return { items: listed.results, next: isLast ? undefined : last };
    };
    return findInPages(pagesOf(readPage, MAX_LIST_PAGES), (r) => r.title === title);
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

    /** The fields of a dataset's schema (its `schemaRef.id`), resolved by the Schema Registry. */
    async getSchemaFields(schemaId: string, opts?: CallOptions): Promise<SchemaField[]> {
      const meta = { endpoint: 'schemas.get', area: 'datasets' as const, subject: 'dataset schema' };
      const response = await send(
        { ...meta, method: 'GET', path: `${REGISTRY}/${schemaContainerOf(schemaId)}/schemas/${encodeURIComponent(schemaId)}`, accept: XDM_FULL_ACCEPT },
        opts,
      );
      return flattenSchemaFields(parseBody(ResolvedSchemaSchema, response, meta).properties);
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

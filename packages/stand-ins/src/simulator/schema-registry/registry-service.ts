// The Schema Registry use cases the pipeline needs: tenant field groups (custom fields under
// `_cmle`), schemas on the Profile or ExperienceEvent class, identity descriptors, and enabling a
// schema for Profile (`meta:immutableTags: ["union"]`, which needs a primary identity). Bodies are
// shaped like schema-registry.yaml's responses.
import { createHash, randomBytes } from 'node:crypto';
import type { Tenancy } from '../context.js';
import type { Field } from '../datasets/fields.js';
import { registryStoreFor, type RegistryStore, type XdmBody, type XdmResource } from './registry-store.js';
import { CLASS_EXTENDS, DESCRIPTOR_TYPES, IDENTITY_DESCRIPTOR, TENANT_ID, TENANT_NAMESPACE, XDM_GLOBAL_PREFIX } from './xdm-constants.js';
import { fieldsOfFieldGroup, hasLeafAt, mergeFieldLists, topLevelPropertyNames } from './xdm-fields.js';

/** A refused request: the route answers `status` with this detail. */
export class RegistryRejection extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RegistryCaller {
  clientId: string;
  nowMs: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(body: Json, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value.trim() === '') throw new RegistryRejection(400, 'XDM-1000-400', `${key} is required`);
  return value;
}

function registryMetadata(caller: RegistryCaller, body: Json): Json {
  return {
    'repo:createdDate': caller.nowMs,
    'repo:lastModifiedDate': caller.nowMs,
    'xdm:createdClientId': caller.clientId,
    'xdm:lastModifiedClientId': caller.clientId,
    'xdm:createdUserId': `${caller.clientId}@AdobeID`,
    'xdm:lastModifiedUserId': `${caller.clientId}@AdobeID`,
    eTag: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
    'meta:globalLibVersion': '1.54.1',
  };
}

function sandboxType(t: Tenancy): 'production' | 'development' {
  return t.sandbox === 'prod' ? 'production' : 'development';
}

function refsOf(allOf: unknown): string[] {
  if (!Array.isArray(allOf) || allOf.length === 0) throw new RegistryRejection(400, 'XDM-1001-400', 'allOf must be a non-empty array of {"$ref": "<$id>"}');
  return allOf.map((entry, index) => {
    // The spec's own examples spell the key "$ref " (with a space); accept both.
    const ref = isObject(entry) ? (entry.$ref ?? entry['$ref ']) : undefined;
    if (typeof ref !== 'string' || ref === '') throw new RegistryRejection(400, 'XDM-1001-400', `allOf[${index}].$ref is required`);
    return ref;
  });
}

export class RegistryService {
  constructor(private readonly store: RegistryStore) {}

  async createFieldGroup(t: Tenancy, body: unknown, caller: RegistryCaller): Promise<XdmBody> {
    if (!isObject(body)) throw new RegistryRejection(400, 'XDM-1000-400', 'The body must be a JSON object');
    const title = requireString(body, 'title');
    const intended = body['meta:intendedToExtend'];
    if (!Array.isArray(intended) || intended.length === 0 || !intended.every((c): c is string => typeof c === 'string')) {
      throw new RegistryRejection(400, 'XDM-1002-400', 'meta:intendedToExtend must list the $id of at least one class');
    }
    const outside = topLevelPropertyNames(body.definitions).filter((name) => name !== TENANT_NAMESPACE);
    if (outside.length > 0) {
      throw new RegistryRejection(400, 'XDM-1003-400', `Custom fields must be nested under ${TENANT_NAMESPACE}; found ${outside.join(', ')}`);
    }
    const hex = randomBytes(24).toString('hex');
    const allOf: unknown[] = Array.isArray(body.allOf) ? (body.allOf as unknown[]) : [{ $ref: '#/definitions/customFields' }];
    const created: XdmBody = {
      $id: `https://ns.adobe.com/${TENANT_ID}/mixins/${hex}`,
      'meta:altId': `${TENANT_NAMESPACE}.mixins.${hex}`,
      'meta:resourceType': 'mixins',
      version: '1.0',
      title,
      type: 'object',
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      definitions: isObject(body.definitions) ? body.definitions : {},
      allOf: allOf.map((entry) => (isObject(entry) ? { ...entry, type: 'object', 'meta:xdmType': 'object' } : entry)),
      imsOrg: t.orgId,
      'meta:extensible': true,
      'meta:abstract': true,
      'meta:intendedToExtend': intended,
      'meta:xdmType': 'object',
      'meta:containerId': 'tenant',
      'meta:tenantNamespace': TENANT_NAMESPACE,
    };
    created['meta:registryMetadata'] = registryMetadata(caller, created);
    await this.insert(t, { kind: 'fieldgroups', id: created.$id as string, altId: created['meta:altId'] as string, body: created });
    return created;
  }

  async createSchema(t: Tenancy, body: unknown, caller: RegistryCaller): Promise<XdmBody> {
    if (!isObject(body)) throw new RegistryRejection(400, 'XDM-1000-400', 'The body must be a JSON object');
    const title = requireString(body, 'title');
    const refs = refsOf(body.allOf);
    const classes = refs.filter((ref) => ref in CLASS_EXTENDS);
    if (classes.length !== 1) {
      throw new RegistryRejection(400, 'XDM-1010-400', `A schema must reference exactly one class; the simulator knows ${Object.keys(CLASS_EXTENDS).join(', ')}`);
    }
    const schemaClass = classes[0] as string;
    const fieldGroupIds: string[] = [];
    for (const ref of refs.filter((r) => r !== schemaClass)) {
      if (ref.startsWith(XDM_GLOBAL_PREFIX)) {
        fieldGroupIds.push(ref);
        continue;
      }
      const fieldGroup = await this.store.getResource(t, ref, 'fieldgroups');
      if (fieldGroup === null) throw new RegistryRejection(400, 'XDM-1011-400', `Field group ${ref} does not exist in this sandbox`);
      const intended = fieldGroup.body['meta:intendedToExtend'];
      if (Array.isArray(intended) && !intended.includes(schemaClass)) {
        throw new RegistryRejection(400, 'XDM-1012-400', `Field group ${ref} is not compatible with class ${schemaClass}`);
      }
      fieldGroupIds.push(fieldGroup.id);
    }
    const hex = randomBytes(24).toString('hex');
    const created: XdmBody = {
      $id: `https://ns.adobe.com/${TENANT_ID}/schemas/${hex}`,
      'meta:altId': `${TENANT_NAMESPACE}.schemas.${hex}`,
      'meta:resourceType': 'schemas',
      version: '1.0',
      title,
      type: 'object',
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      allOf: [schemaClass, ...fieldGroupIds].map(($ref) => ({ $ref, type: 'object', 'meta:xdmType': 'object' })),
      refs: [schemaClass, ...fieldGroupIds],
      imsOrg: t.orgId,
      'meta:extensible': false,
      'meta:abstract': false,
      'meta:extends': [...(CLASS_EXTENDS[schemaClass] ?? []), ...fieldGroupIds],
      'meta:xdmType': 'object',
      'meta:class': schemaClass,
      'meta:containerId': 'tenant',
      'meta:sandboxType': sandboxType(t),
      'meta:tenantNamespace': TENANT_NAMESPACE,
    };
    created['meta:registryMetadata'] = registryMetadata(caller, created);
    await this.insert(t, { kind: 'schemas', id: created.$id as string, altId: created['meta:altId'] as string, body: created });
    return created;
  }

  /** PATCH /tenant/schemas/{id}: only `/meta:immutableTags` (["union"] enables Profile). */
  async patchSchema(t: Tenancy, idOrAltId: string, body: unknown, caller: RegistryCaller): Promise<XdmBody> {
    const schema = await this.requireSchema(t, idOrAltId);
    if (!Array.isArray(body) || body.length === 0) throw new RegistryRejection(400, 'XDM-1020-400', 'The body must be a JSON Patch array');
    const next: XdmBody = { ...schema.body };
    for (const op of body) {
      if (!isObject(op) || typeof op.op !== 'string' || !['add', 'replace'].includes(op.op.toLowerCase()) || op.path !== '/meta:immutableTags') {
        throw new RegistryRejection(400, 'XDM-1021-400', 'The simulator only supports add/replace of /meta:immutableTags on schemas');
      }
      // aepp sends ["union"]; the spec types the value as a string, so a bare "union" works too.
      const value: unknown = typeof op.value === 'string' ? [op.value] : op.value;
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new RegistryRejection(400, 'XDM-1021-400', '/meta:immutableTags must be an array of strings');
      next['meta:immutableTags'] = value;
    }
    const tags = next['meta:immutableTags'];
    if (Array.isArray(tags) && tags.includes('union') && (await this.primaryIdentity(t, schema.id)) === null) {
      throw new RegistryRejection(400, 'XDM-1022-400', `Schema ${schema.id} has no primary identity descriptor; it cannot be enabled for Profile`);
    }
    const metadata = isObject(schema.body['meta:registryMetadata']) ? schema.body['meta:registryMetadata'] : {};
    next.version = bumpVersion(schema.body.version);
    next['meta:registryMetadata'] = { ...metadata, 'repo:lastModifiedDate': caller.nowMs, 'xdm:lastModifiedClientId': caller.clientId, eTag: registryMetadata(caller, next).eTag };
    await this.store.replaceBody(t, schema.id, next);
    return next;
  }

  async createDescriptor(t: Tenancy, body: unknown, caller: RegistryCaller): Promise<XdmBody> {
    if (!isObject(body)) throw new RegistryRejection(400, 'XDM-1000-400', 'The body must be a JSON object');
    const type = requireString(body, '@type');
    if (!(DESCRIPTOR_TYPES as readonly string[]).includes(type)) throw new RegistryRejection(400, 'XDM-1030-400', `Unknown descriptor @type ${type}`);
    const sourceSchema = requireString(body, 'xdm:sourceSchema');
    const schema = await this.store.getResource(t, sourceSchema, 'schemas');
    if (schema === null) throw new RegistryRejection(400, 'XDM-1031-400', `Schema ${sourceSchema} does not exist in this sandbox`);
    if (type === IDENTITY_DESCRIPTOR) await this.checkIdentity(t, schema, body);
    const created: XdmBody = {
      ...body,
      '@id': randomBytes(20).toString('hex'),
      'xdm:sourceSchema': schema.id,
      imsOrg: t.orgId,
      version: '1',
      'meta:containerId': 'tenant',
      'meta:sandboxType': sandboxType(t),
    };
    created['meta:registryMetadata'] = registryMetadata(caller, created);
    await this.store.insertDescriptor(t, created['@id'] as string, schema.id, created);
    return created;
  }

  async requireResource(t: Tenancy, idOrAltId: string, kind: XdmResource['kind']): Promise<XdmResource> {
    const resource = await this.store.getResource(t, idOrAltId, kind);
    if (resource === null) throw new RegistryRejection(404, 'XDM-1040-404', `${kind === 'schemas' ? 'Schema' : 'Field group'} ${idOrAltId} not found`);
    return resource;
  }

  private requireSchema(t: Tenancy, idOrAltId: string): Promise<XdmResource> {
    return this.requireResource(t, idOrAltId, 'schemas');
  }

  /** The merged fields of a schema's tenant field groups. */
  async schemaFields(t: Tenancy, schema: XdmResource): Promise<Field[]> {
    const refs = Array.isArray(schema.body.refs) ? schema.body.refs.filter((r): r is string => typeof r === 'string') : [];
    const lists: Field[][] = [];
    for (const ref of refs) {
      const fieldGroup = ref.startsWith(XDM_GLOBAL_PREFIX) ? null : await this.store.getResource(t, ref, 'fieldgroups');
      if (fieldGroup !== null) lists.push(fieldsOfFieldGroup(fieldGroup.body.definitions));
    }
    return mergeFieldLists(lists);
  }

  /** The schema's primary identity descriptor, if any. */
  async primaryIdentity(t: Tenancy, schemaId: string): Promise<XdmBody | null> {
    const descriptors = await this.store.descriptorsOf(t, schemaId);
    return descriptors.find((d) => d['@type'] === IDENTITY_DESCRIPTOR && d['xdm:isPrimary'] === true) ?? null;
  }

  private async checkIdentity(t: Tenancy, schema: XdmResource, body: Json): Promise<void> {
    const property = requireString(body, 'xdm:sourceProperty');
    requireString(body, 'xdm:namespace');
    if (!hasLeafAt(await this.schemaFields(t, schema), property)) {
      throw new RegistryRejection(400, 'XDM-1032-400', `xdm:sourceProperty ${property} is not a field of schema ${schema.id}`);
    }
    if (body['xdm:isPrimary'] === true && (await this.primaryIdentity(t, schema.id)) !== null) {
      throw new RegistryRejection(400, 'XDM-1033-400', `Schema ${schema.id} already has a primary identity`);
    }
  }

  private async insert(t: Tenancy, resource: XdmResource): Promise<void> {
    await this.store.insertResource(t, resource);
  }
}

function bumpVersion(version: unknown): string {
  const [major = '1', minor = '0'] = typeof version === 'string' ? version.split('.') : [];
  return `${major}.${Number(minor) + 1}`;
}

export function registryServiceFor(ctx: Parameters<typeof registryStoreFor>[0]): RegistryService {
  return new RegistryService(registryStoreFor(ctx));
}

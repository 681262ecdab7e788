// A dataset's fields as the Schema Registry resolves its schema: `GET /{tenant|global}/schemas/{id}`
// with `Accept: application/vnd.adobe.xed-full+json; version=1` ("returns the full details of the
// resource, including the details all fields inherited from other resources", schema-registry.yaml
// `accept`), flattened to dotted paths as Query Service addresses them (`_tenant.userid`).
import { z } from 'zod';

export const XDM_FULL_ACCEPT = 'application/vnd.adobe.xed-full+json; version=1';

/** Global XDM schemas live in the `global` container; everything else is the org's tenant. */
export function schemaContainerOf(schemaId: string): 'global' | 'tenant' {
  return schemaId.startsWith('https://ns.adobe.com/xdm/') ? 'global' : 'tenant';
}

export interface SchemaField {
  /** Dotted path, e.g. `_cmle.userid` or `web.webPageDetails.name`. */
  path: string;
  /** The XDM/JSON Schema type: string, integer, number, boolean, array, … */
  type: string;
  /** JSON Schema format when the schema gives one (e.g. date-time). */
  format: string | null;
}

interface JsonSchemaNode {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
}

const NodeSchema: z.ZodType<JsonSchemaNode> = z.lazy(() =>
  z.looseObject({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    format: z.string().optional(),
    properties: z.record(z.string(), NodeSchema).optional(),
    items: NodeSchema.optional(),
  }),
);

export const ResolvedSchemaSchema = z.looseObject({ $id: z.string().optional(), properties: z.record(z.string(), NodeSchema).optional() });

/** The bound on fields listed per dataset: a wide XDM schema has thousands of leaves. */
const MAX_FIELDS = 2000;

/** Leaves of the resolved schema, depth first in the schema's order; objects are walked, not listed. */
export function flattenSchemaFields(properties: Record<string, JsonSchemaNode> | undefined): SchemaField[] {
  const out: SchemaField[] = [];
  const walk = (props: Record<string, JsonSchemaNode>, prefix: string): void => {
    for (const [name, node] of Object.entries(props)) {
      if (out.length >= MAX_FIELDS) return;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      const type = Array.isArray(node.type) ? (node.type.find((t) => t !== 'null') ?? 'string') : (node.type ?? 'object');
      if (type === 'object' && node.properties !== undefined) walk(node.properties, path);
      else out.push({ path, type, format: node.format ?? null });
    }
  };
  walk(properties ?? {}, '');
  return out;
}

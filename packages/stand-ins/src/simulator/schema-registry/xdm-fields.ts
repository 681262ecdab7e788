// Reads the fields out of tenant XDM resources: a field group's `definitions` (JSON Schema
// objects) become the simulator's field tree, which a dataset created from the schema uses for
// its Catalog observableSchema and its Parquet exports.
import { leaf, struct, type Field, type LeafType } from '../datasets/fields.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function leafType(node: Json): LeafType {
  switch (node.type) {
    case 'number':
      return 'double';
    case 'integer':
      return node['meta:xdmType'] === 'int' ? 'integer' : 'long';
    case 'boolean':
      return 'boolean';
    case 'string':
      return node.format === 'date-time' || node.format === 'date' ? 'timestamp' : 'string';
    default:
      return 'string';
  }
}

/** Fields of a JSON Schema `properties` map (arrays and untyped nodes are kept as strings). */
export function fieldsOfProperties(properties: unknown): Field[] {
  if (!isObject(properties)) return [];
  return Object.entries(properties).flatMap(([name, node]): Field[] => {
    if (!isObject(node)) return [];
    if (node.type === 'object' || isObject(node.properties)) return [struct(name, fieldsOfProperties(node.properties))];
    return [leaf(name, leafType(node))];
  });
}

/** Fields a field group contributes: the properties of every definition, merged by name. */
export function fieldsOfFieldGroup(definitions: unknown): Field[] {
  if (!isObject(definitions)) return [];
  return mergeFieldLists(Object.values(definitions).map((definition) => (isObject(definition) ? fieldsOfProperties(definition.properties) : [])));
}

export function mergeFieldLists(lists: Field[][]): Field[] {
  const byName = new Map<string, Field>();
  for (const field of lists.flat()) {
    const existing = byName.get(field.name);
    if (existing !== undefined && 'fields' in existing && 'fields' in field) byName.set(field.name, struct(field.name, mergeFieldLists([existing.fields, field.fields])));
    else if (existing === undefined) byName.set(field.name, field);
  }
  return [...byName.values()];
}

/** Top-level property names a field group defines (custom fields must sit under `_{tenant}`). */
export function topLevelPropertyNames(definitions: unknown): string[] {
  if (!isObject(definitions)) return [];
  return Object.values(definitions).flatMap((definition) => (isObject(definition) && isObject(definition.properties) ? Object.keys(definition.properties) : []));
}

/** Whether a JSON pointer like /_cmle/userid names a leaf of the field tree. */
export function hasLeafAt(fields: readonly Field[], pointer: string): boolean {
  const segments = pointer.replace(/^\//, '').split('/').filter((s) => s !== '');
  let level: readonly Field[] = fields;
  for (const [index, segment] of segments.entries()) {
    const field = level.find((f) => f.name === segment);
    if (field === undefined) return false;
    const last = index === segments.length - 1;
    if ('fields' in field) {
      if (last) return false;
      level = field.fields;
    } else if (!last) {
      return false;
    }
  }
  return segments.length > 0;
}

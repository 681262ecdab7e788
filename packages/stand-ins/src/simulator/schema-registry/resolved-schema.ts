// `GET /{tenant|global}/schemas/{id}` with `Accept: application/vnd.adobe.xed-full+json`: the schema
// with every inherited field resolved into `properties` (schema-registry.yaml `accept`: "returns the
// full details of the resource, including the details all fields inherited from other resources").
// A registry schema resolves through its field groups; the schema of a seeded dataset (which the
// registry store does not hold) is answered from that dataset's own fields.
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import { observableSchema } from '../datasets/fields.js';
import { RegistryRejection, registryServiceFor } from './registry-service.js';
import { registryStoreFor } from './registry-store.js';

/** True when the Accept header asks for the resolved ("full") form. */
export function wantsFullSchema(accept: string | undefined): boolean {
  const media = (accept ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return media === 'application/vnd.adobe.xed-full+json' || media === 'application/vnd.adobe.xed-full-notext+json' || media === 'application/vnd.adobe.xed-full-desc+json';
}

export async function resolvedSchema(ctx: SimulatorContext, t: Tenancy, idOrAltId: string): Promise<Record<string, unknown>> {
  const stored = await registryStoreFor(ctx).getResource(t, idOrAltId, 'schemas');
  if (stored !== null) {
    const fields = await registryServiceFor(ctx).schemaFields(t, stored);
    return { ...stored.body, properties: observableSchema(fields).properties ?? {} };
  }
  const datasets = datasetStoreFor(ctx);
  await datasets.ensureSeeded(t);
  const page = await datasets.listDatasets(t, { start: 0, limit: 1000 });
  const dataset = page.items.find((d) => d.schemaRef?.id === idOrAltId);
  if (dataset === undefined) throw new RegistryRejection(404, 'XDM-1040-404', `Schema ${idOrAltId} not found`);
  return {
    $id: idOrAltId,
    'meta:altId': `_${idOrAltId.replace(/^https:\/\/ns\.adobe\.com\//, '').replaceAll('/', '.')}`,
    'meta:resourceType': 'schemas',
    version: '1.0',
    title: dataset.name,
    type: 'object',
    properties: observableSchema(dataset.fields).properties ?? {},
  };
}

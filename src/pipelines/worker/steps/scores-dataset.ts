// The profile-enabled scores dataset the ingest step writes to (the notebooks' Week 4 chain):
// field group with `_{tenant}.userid` and `_{tenant}.propensity`, a Profile schema, the ECID
// primary identity, the schema enabled for Profile, and the dataset. Created once per name and
// reused (Catalog lookup by name); serialised per name with an advisory lock. Every id is saved on
// the step as soon as it exists, so a crash resumes from the next object; a crash between a create
// and saving its id is covered by the registry lookups by title (paged through the tenant's list).
import { withTryAdvisoryLock } from '../../../jobs/advisory-lock.js';
import { findOrCreate } from '../../../jobs/find-or-create.js';
import { PlatformError } from '../../../platform/errors.js';
import type { XdmResource } from '../../../platform/pipeline-types.js';
import { idOf, type StepContext } from '../step-context.js';

export const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';

export interface ScoresDataset {
  datasetId: string;
  schemaId: string | null;
}

function fieldGroupBody(title: string, tenant: string): unknown {
  return {
    title,
    description: 'Propensity scores written by aep-distiller-jobs pipelines',
    type: 'object',
    'meta:intendedToExtend': [PROFILE_CLASS],
    definitions: {
      customFields: { type: 'object', properties: { [`_${tenant}`]: { type: 'object', properties: { propensity: { type: 'number' }, userid: { type: 'string' } } } } },
    },
    allOf: [{ $ref: '#/definitions/customFields' }],
  };
}

/** A registry resource found by title (the lookup pages through the tenant's list) or created. */
async function findOrCreateXdm(ctx: StepContext<'ingest'>, find: () => Promise<XdmResource | null>, create: () => Promise<XdmResource>): Promise<XdmResource> {
  let resource: XdmResource | undefined;
  const { created } = await findOrCreate({
    step: 'ingest_registry',
    crash: ctx.crash,
    find: async () => {
      resource = (await find()) ?? undefined;
      return resource === undefined ? null : { id: resource.$id };
    },
    create: async () => {
      resource = await create();
      return { id: resource.$id };
    },
  });
  if (resource === undefined) throw new Error(`registry resource lost after ${created ? 'create' : 'lookup'}`);
  return resource;
}

async function ensureRegistryObjects(ctx: StepContext<'ingest'>, tenant: string, name: string): Promise<string> {
  const platform = ctx.platform;
  let schemaId = idOf(ctx.ids, 'schemaId');
  let schemaAltId = idOf(ctx.ids, 'schemaAltId');
  if (schemaId === undefined || schemaAltId === undefined) {
    let fieldGroupId = idOf(ctx.ids, 'fieldGroupId');
    if (fieldGroupId === undefined) {
      const title = `${name} field group`;
      fieldGroupId = (await findOrCreateXdm(ctx, () => platform.findFieldGroupByTitle(title), () => platform.createFieldGroup(fieldGroupBody(title, tenant)))).$id;
      await ctx.saveIds({ fieldGroupId });
    }
    const title = `${name} schema`;
    const groupId = fieldGroupId;
    const schema = await findOrCreateXdm(ctx, () => platform.findSchemaByTitle(title), () =>
      platform.createSchema({ title, description: 'Profile propensity scores', type: 'object', allOf: [{ $ref: PROFILE_CLASS }, { $ref: groupId }] }),
    );
    schemaId = schema.$id;
    schemaAltId = schema['meta:altId'] ?? schema.$id;
    await ctx.saveIds({ schemaId, schemaAltId });
  }
  if (ctx.ids.identityReady !== true) {
    try {
      await platform.createDescriptor({
        '@type': 'xdm:descriptorIdentity',
        'xdm:sourceSchema': schemaId,
        'xdm:sourceVersion': 1,
        'xdm:sourceProperty': `/_${tenant}/userid`,
        'xdm:namespace': 'ECID',
        'xdm:property': 'xdm:id',
        'xdm:isPrimary': true,
      });
    } catch (error) {
      // Created before a crash: the schema already has its primary identity.
      if (!(error instanceof PlatformError && error.kind === 'permanent' && /primary identity/i.test(error.platformMessage ?? ''))) throw error;
    }
    await platform.enableSchemaForProfile(schemaAltId);
    await ctx.saveIds({ identityReady: true });
  }
  return schemaId;
}

/** The scores dataset's id (found by name, or created with its schema). null: another step holds the lock. */
export async function ensureScoresDataset(ctx: StepContext<'ingest'>, tenant: string): Promise<ScoresDataset | null> {
  const name = ctx.definition.datasetName;
  const findByName = async () => (await ctx.platform.listDatasets({ name, limit: 10 })).find((d) => d.name === name) ?? null;
  const existing = await findByName();
  if (existing) return { datasetId: existing.id, schemaId: existing.schemaRef?.id ?? null };

  const outcome = await withTryAdvisoryLock(ctx.db, `aepjobs:scores-dataset:${ctx.pipeline.tenantId}:${name}`, async () => {
    const again = await findByName();
    if (again) return { datasetId: again.id, schemaId: again.schemaRef?.id ?? null };
    const schemaId = await ensureRegistryObjects(ctx, tenant, name);
    let created: { id: string };
    try {
      created = await ctx.platform.createDataset({
        name,
        schemaId,
        description: 'Propensity scores ingested by aep-distiller-jobs pipelines',
        tags: { unifiedProfile: ['enabled:true'], unifiedIdentity: ['enabled:true'] },
      });
    } catch (error) {
      const applied = error instanceof PlatformError && error.ambiguous ? await findByName() : null;
      if (applied === null) throw error;
      created = applied;
    }
    ctx.log.info({ datasetId: created.id, name }, 'scores dataset created');
    return { datasetId: created.id, schemaId };
  });
  return outcome.acquired ? outcome.value : null;
}

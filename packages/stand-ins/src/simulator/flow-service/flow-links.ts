// Resolves a flow's source and target connection ids into its inheritedAttributes, refusing ids
// that do not exist in the sandbox or do not fit the flow spec's destination.
import type { SimulatorContext, Tenancy } from '../context.js';
import type { FlowBody, SourceConnectionBody, TargetConnectionBody } from './entities.js';
import { accept, badRequest, refuse, type Checked } from './rejection.js';
import { isSegmentTarget } from './validation.js';
import { DATA_LAKE_SOURCE_SPEC_ID, DESTINATION_SPEC_IDS, PROFILE_STORE_SOURCE_SPEC_ID, type DestinationKey } from './spec-ids.js';

export type FlowLinks = Omit<FlowBody['inheritedAttributes'], 'properties'>;

export async function resolveFlowLinks(
  ctx: SimulatorContext,
  tenancy: Tenancy,
  destination: DestinationKey,
  sourceConnectionIds: string[],
  targetConnectionIds: string[],
): Promise<Checked<FlowLinks>> {
  const sources = await Promise.all(sourceConnectionIds.map((id) => ctx.entities.get<SourceConnectionBody>(tenancy, 'sourceConnection', id)));
  const targets = await Promise.all(targetConnectionIds.map((id) => ctx.entities.get<TargetConnectionBody>(tenancy, 'targetConnection', id)));

  const sourceConnections: FlowLinks['sourceConnections'] = [];
  let audienceFlow = false;
  for (const [index, source] of sources.entries()) {
    if (source === null) return refuse(badRequest('1043', `Source connection with id = [${sourceConnectionIds[index] ?? ''}] not found`));
    const sourceSpec = source.body.connectionSpec.id;
    if (sourceSpec !== DATA_LAKE_SOURCE_SPEC_ID && sourceSpec !== PROFILE_STORE_SOURCE_SPEC_ID) {
      return refuse(badRequest('1044', `Source connection ${source.id} is not a data lake or Profile Store source connection`));
    }
    audienceFlow ||= sourceSpec === PROFILE_STORE_SOURCE_SPEC_ID;
    sourceConnections.push({ id: source.id, connectionSpec: source.body.connectionSpec });
  }
  const expectedSpec = DESTINATION_SPEC_IDS[destination].connectionSpecId;
  const targetConnections: FlowLinks['targetConnections'] = [];
  for (const [index, target] of targets.entries()) {
    if (target === null) return refuse(badRequest('1045', `Target connection with id = [${targetConnectionIds[index] ?? ''}] not found`));
    if (target.body.connectionSpec.id !== expectedSpec) {
      return refuse(badRequest('1046', `Target connection ${target.id} uses connection spec ${target.body.connectionSpec.id}; the flow spec needs ${expectedSpec}`));
    }
    // An audience flow (Profile Store source) exports profiles: its target must carry the segment
    // params (fileType, SegmentTargetConnectionParams_V2); a dataset flow the dataset ones.
    if (audienceFlow !== isSegmentTarget(target.body.params)) {
      return refuse(
        badRequest(
          '1048',
          audienceFlow
            ? `Target connection ${target.id} is a dataset export target (params.datasetFileType); an audience flow needs params.fileType`
            : `Target connection ${target.id} is an audience export target (params.fileType); a dataset flow needs params.datasetFileType`,
        ),
      );
    }
    targetConnections.push({ id: target.id, connectionSpec: target.body.connectionSpec, baseConnection: target.body.inheritedAttributes.baseConnection });
  }
  return accept({ sourceConnections, targetConnections });
}

// Audience activation to a file destination (reference 6): a Profile Store source connection, a
// flow carrying a "GeneralTransform" whose segment selectors name the audiences, and the v2 ad
// hoc activation that exports them now. Target connections and runs use the export-side client.
import type { CallOptions, CreateFlowInput } from './client.js';
import { PlatformError } from './errors.js';
import type { Send } from './call-executor.js';
import { AudienceActivationSchema } from './pipeline-types.js';
import { parseBody, runIdFromStatusUrl, unexpectedResponse } from './responses.js';
import type { EntityRef } from './types.js';
import { EntityRefSchema } from './types.js';

const FLOW_SERVICE = '/data/foundation/flowservice';
const ADHOC_RUN_PATH = '/data/core/activation/disflowprovider/adhocrun';
/** The Profile Store source every audience dataflow reads (always this id). */
export const PROFILE_STORE_SOURCE_SPEC_ID = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
export const ADHOC_AUDIENCE_ACCEPT = 'application/vnd.adobe.adhoc.activation+json; version=2';
const call = { area: 'destinations' as const, permission: 'Activate Destinations' };
const NOT_READY_AUDIENCE = /not ready for audience export/i;

export function activationMethods(send: Send) {
  return {
    async createProfileSourceConnection(input: { name: string; description?: string }, opts?: CallOptions): Promise<EntityRef> {
      const meta = { ...call, subject: 'source connection', endpoint: 'sourceConnections.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
          method: 'POST',
          path: `${FLOW_SERVICE}/sourceConnections`,
          safety: 'create',
          body: {
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            connectionSpec: { id: PROFILE_STORE_SOURCE_SPEC_ID, version: '1.0' },
          },
        },
        opts,
      );
      return parseBody(EntityRefSchema, response, meta);
    },

    /** A flow whose one transformation carries the (empty at first) segment and profile selectors. */
    async createAudienceFlow(input: CreateFlowInput, opts?: CallOptions): Promise<EntityRef> {
      const meta = { ...call, subject: 'flow', endpoint: 'flows.create', ambiguous: true };
      const response = await send(
        {
          ...meta,
          method: 'POST',
          path: `${FLOW_SERVICE}/flows`,
          safety: 'create',
          body: {
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            flowSpec: { id: input.flowSpecId, version: '1.0' },
            sourceConnectionIds: [input.sourceConnectionId],
            targetConnectionIds: [input.targetConnectionId],
            transformations: [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] } } }],
            scheduleParams: input.scheduleParams,
          },
        },
        opts,
      );
      return parseBody(EntityRefSchema, response, meta);
    },

    /**
     * Exports the audience through the flow now. `not_ready` in the minutes after the flow was
     * created, `conflict` while a run of it is going. Never replayed: list the flow's runs first.
     */
    async startAdhocAudienceActivation(flowId: string, segmentId: string, opts?: CallOptions): Promise<{ runId: string }> {
      const meta = { ...call, subject: 'audience activation', endpoint: 'adhocActivation.create', ambiguous: true };
      let response;
      try {
        response = await send(
          { ...meta, method: 'POST', path: ADHOC_RUN_PATH, accept: ADHOC_AUDIENCE_ACCEPT, safety: 'create', body: { activationInfo: { [flowId]: [segmentId] } } },
          opts,
        );
      } catch (error) {
        if (error instanceof PlatformError && error.kind === 'permanent' && NOT_READY_AUDIENCE.test(error.platformMessage ?? '')) {
          throw new PlatformError({
            kind: 'not_ready',
            endpoint: error.endpoint,
            ...(error.status === undefined ? {} : { status: error.status }),
            ...(error.platformMessage === undefined ? {} : { platformMessage: error.platformMessage }),
            plainMessage: 'The Platform is not ready to activate through this flow yet (about 10 minutes after it is created); trying again shortly.',
            cause: error,
          });
        }
        throw error;
      }
      const order = parseBody(AudienceActivationSchema, response, meta).order.find((o) => o.segment === undefined || o.segment === segmentId);
      const runId = order === undefined ? undefined : runIdFromStatusUrl(order.statusURL);
      if (runId === undefined) throw unexpectedResponse(meta, response.status, 'no statusURL for the audience');
      return { runId };
    },
  };
}

// Audience activation to a file destination (reference 6): a Profile Store source connection and
// a flow carrying a "GeneralTransform" whose segment selectors name the audiences (flow-service.yaml
// `createSourceConnection`, `createFlow`), and the v2 ad hoc activation that exports them now
// (ad-hoc-activation.yaml `runAdhocActivation`). Target connections and runs are flow-service.ts's
// and flow-runs.ts's.
import type { CallOptions, Send } from './call-executor.js';
import { PlatformError } from './errors.js';
import { describedAs, flowServiceEntities, specRef, type FlowServiceEntities } from './flow-service-entities.js';
import { flowBody, type CreateFlowInput } from './flow-service.js';
import { ADHOC_RUN_PATH } from './flow-runs.js';
import { AudienceActivationSchema } from './pipeline-types.js';
import { parseBody, runIdFromStatusUrl, unexpectedResponse } from './responses.js';
import type { EntityRef } from './types.js';

/** The Profile Store source every audience dataflow reads (always this id). */
export const PROFILE_STORE_SOURCE_SPEC_ID = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
export const ADHOC_AUDIENCE_ACCEPT = 'application/vnd.adobe.adhoc.activation+json; version=2';
const call = { area: 'destinations' as const, permission: 'Activate Destinations' };
const NOT_READY_AUDIENCE = /not ready for audience export/i;

export function activationMethods(send: Send, entities: FlowServiceEntities = flowServiceEntities(send)) {
  return {
    createProfileSourceConnection: (input: { name: string; description?: string }, opts?: CallOptions): Promise<EntityRef> =>
      entities.create('sourceConnection', { name: input.name, ...describedAs(input.description), connectionSpec: specRef(PROFILE_STORE_SOURCE_SPEC_ID) }, opts, call.permission),

    /** A flow whose one transformation carries the (empty at first) segment and profile selectors. */
    createAudienceFlow: (input: CreateFlowInput, opts?: CallOptions): Promise<EntityRef> =>
      entities.create(
        'flow',
        flowBody(input, [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] } } }]),
        opts,
        call.permission,
      ),

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

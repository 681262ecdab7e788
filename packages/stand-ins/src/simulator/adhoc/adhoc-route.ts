// POST /data/core/activation/disflowprovider/adhocrun, dataset variant (the audience variant is
// dispatched to segmentation/audience-activation-route.ts by its Accept header): requires the dataset
// Accept header, answers {"destinations":[{"datasets":[{"id","statusURL","flowId"}]}]} with
// statusURL pointing at this simulator's Flow Service run, or 400/404 {"message"} errors.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { RUNS_PATH } from '../runs/run-routes.js';
import { acceptsAudienceActivation } from '../segmentation/audience-activation.js';
import { handleAudienceActivation } from '../segmentation/audience-activation-route.js';
import { acceptsDatasetActivation, ADHOC_RUN_PATH, adhocDatasetRunRequestSchema, adhocMessages, type AdhocDatasetRunResponse } from './adhoc-request.js';
import { AdhocRunRejected, startAdhocRuns } from './adhoc-service.js';

export function registerAdhocRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  app.post(ADHOC_RUN_PATH, async (request, reply) => {
    // The audience variant (Accept …adhoc.activation+json; version=2) lives with segmentation.
    if (acceptsAudienceActivation(request.headers.accept)) return handleAudienceActivation(ctx, request, reply);
    if (!acceptsDatasetActivation(request.headers.accept)) return sendError(reply, 400, messageError(adhocMessages.badAccept));
    const body = adhocDatasetRunRequestSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError(adhocMessages.badBody(z.prettifyError(body.error))));
    try {
      const started = await startAdhocRuns(ctx, request.tenancy, body.data);
      // The status URL names the host the caller used, so it works behind any local port.
      const base = `${request.protocol}://${request.host}${RUNS_PATH}`;
      const response: AdhocDatasetRunResponse = {
        destinations: started.map((runs) => ({
          datasets: runs.map((r) => ({ id: r.datasetId, statusURL: `${base}/${r.runId}`, flowId: r.flowId })),
        })),
      };
      return await reply.code(200).type('application/json').send(response);
    } catch (error) {
      if (error instanceof AdhocRunRejected) return sendError(reply, error.status, messageError(error.message));
      throw error;
    }
  });
}

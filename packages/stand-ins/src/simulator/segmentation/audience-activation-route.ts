// Handler of the audience (v2) ad hoc activation; adhoc/adhoc-route.ts dispatches to it by the
// Accept header. Answers {"order":[{"segment","order","statusURL"}]} or {"message"} errors.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { RUNS_PATH } from '../runs/run-routes.js';
import { audienceActivationRequestSchema, AudienceActivationRejected, startAudienceActivation } from './audience-activation.js';

export async function handleAudienceActivation(ctx: SimulatorContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = audienceActivationRequestSchema.safeParse(request.body);
  if (!body.success) return sendError(reply, 400, messageError(`Invalid parameter: ${z.prettifyError(body.error)}`));
  try {
    const orders = await startAudienceActivation(ctx, request.tenancy, body.data);
    const base = `${request.protocol}://${request.host}${RUNS_PATH}`;
    return await reply
      .code(200)
      .type('application/json')
      .send({ order: orders.map((o) => ({ segment: o.segment, order: o.order, statusURL: `${base}/${o.runId}` })) });
  } catch (error) {
    if (error instanceof AudienceActivationRejected) return sendError(reply, error.status, messageError(error.message));
    throw error;
  }
}

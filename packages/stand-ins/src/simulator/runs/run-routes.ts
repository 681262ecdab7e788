// Flow Service runs: GET /data/foundation/flowservice/runs (property filters, count, continuation,
// newest first) and GET /runs/{id} ({"items":[run]}). Due runs are completed before answering.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { flowError, sendError } from '../errors.js';
import { FLOW_SERVICE_LIST_DEFAULTS, InvalidListQueryError, parseListQuery, renderCount, renderListPage } from '../flow-service/list-query.js';
import { publicBody } from '../public-body.js';
import { InvalidFilterError } from '../store/filter-sql.js';
import type { RunBody } from './run-body.js';
import { runEngineFor } from './run-engine.js';

export const RUNS_PATH = '/data/foundation/flowservice/runs';

const paramsSchema = z.object({ id: z.string().min(1) });

function badQuery(reply: FastifyReply, message: string, requestId: string): FastifyReply {
  return sendError(reply, 400, flowError({ code: '1002', status: 400, message, requestId }));
}

export function registerRunRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const engine = runEngineFor(ctx);

  app.get(RUNS_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    try {
      const parsed = parseListQuery(query, FLOW_SERVICE_LIST_DEFAULTS);
      await engine.completeDueRuns({ tenancy: request.tenancy });
      if (parsed.count) return renderCount(await ctx.entities.count(request.tenancy, 'run', parsed.filters));
      const page = await ctx.entities.list<RunBody>(request.tenancy, 'run', parsed);
      return renderListPage(page, RUNS_PATH, query, publicBody);
    } catch (error) {
      if (error instanceof InvalidListQueryError || error instanceof InvalidFilterError) return badQuery(reply, error.message, request.id);
      throw error;
    }
  });

  app.get(`${RUNS_PATH}/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    await engine.completeIfDue(request.tenancy, id);
    const run = await ctx.entities.get<RunBody>(request.tenancy, 'run', id);
    if (run === null) {
      return sendError(
        reply,
        404,
        flowError({ code: '1439', status: 404, message: `runs not found with id = [${id}]`, entityType: 'runs', entityId: id, requestId: request.id }),
      );
    }
    return { items: [publicBody(run.body)] };
  });
}

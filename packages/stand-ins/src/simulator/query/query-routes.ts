// Query Service routes under /data/foundation/query: POST /queries (202, SUBMITTED), GET /queries
// (list), GET /queries/{id}, PATCH /queries/{id} {"op":"cancel"|"soft_delete"} (202; 409 when the
// query already ended). Errors answer {"message"}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { messageError, sendError } from '../errors.js';
import { queryEngineFor } from './query-engine.js';
import { InvalidQueryListError, parseQueryList } from './query-list.js';
import { queryDefinitionSchema } from './query-record.js';
import { QUERY_BASE, queryView } from './query-view.js';

const paramsSchema = z.object({ id: z.string().min(1) });
const patchSchema = z.object({ op: z.enum(['cancel', 'soft_delete']) });

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function registerQueryRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const engine = queryEngineFor(ctx);
  const base = `${QUERY_BASE}/queries`;

  app.post(base, async (request, reply) => {
    const body = queryDefinitionSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError(`Invalid query definition: ${z.prettifyError(body.error)}`));
    if (body.data.templateId !== undefined) return sendError(reply, 400, messageError('Query templates (templateId) are not supported by the simulator; send the SQL in "sql".'));
    if (body.data.sql === undefined || body.data.sql.trim() === '') return sendError(reply, 400, messageError('The query definition needs "sql".'));
    if (body.data.ctasParameters !== undefined && body.data.insertIntoParameters !== undefined) {
      return sendError(reply, 400, messageError('ctasParameters and insertIntoParameters cannot be combined.'));
    }
    const record = await engine.submit(request.tenancy, body.data, { client: 'API', userId: `${request.imsClientId}@AdobeID` });
    return reply.code(202).send(queryView(record, originOf(request), ctx.now()));
  });

  app.get(base, async (request, reply) => {
    let parsed;
    try {
      parsed = parseQueryList(request.query as Record<string, unknown>);
    } catch (error) {
      if (error instanceof InvalidQueryListError) return sendError(reply, 400, messageError(error.message));
      throw error;
    }
    // One extra row tells whether a next page exists.
    const records = await engine.list(request.tenancy, { ...parsed, limit: parsed.limit + 1 });
    const page = records.slice(0, parsed.limit);
    const origin = originOf(request);
    const last = page.at(-1);
    const next = records.length > parsed.limit && last !== undefined ? new Date(last.createdMs).toISOString() : undefined;
    const nextQuery = new URLSearchParams({ orderby: parsed.orderby, limit: String(parsed.limit), ...(parsed.property === undefined ? {} : { property: parsed.property }) });
    if (next !== undefined) nextQuery.set('start', next);
    return {
      _page: {
        orderby: parsed.orderby,
        ...(page[0] === undefined ? {} : { start: new Date(page[0].createdMs).toISOString() }),
        ...(next === undefined ? {} : { next }),
        ...(parsed.property === undefined ? {} : { property: parsed.property }),
        count: page.length,
      },
      _links: next === undefined ? {} : { next: { href: `${origin}${base}?${nextQuery.toString()}` } },
      queries: page.map((record) => queryView(record, origin, ctx.now())),
      version: 1,
    };
  });

  app.get(`${base}/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    const record = await engine.get(request.tenancy, id);
    if (record === null) return notFound(reply, id);
    return queryView(record, originOf(request), ctx.now());
  });

  app.patch(`${base}/:id`, async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    const body = patchSchema.safeParse(request.body);
    if (!body.success) return sendError(reply, 400, messageError('The body must be {"op":"cancel"} or {"op":"soft_delete"}.'));
    if (body.data.op === 'soft_delete') {
      if (!(await engine.softDelete(request.tenancy, id))) return notFound(reply, id);
      return reply.code(202).send({ message: 'Query soft delete request received', statusCode: 202 });
    }
    const result = await engine.cancel(request.tenancy, id);
    switch (result) {
      case 'not_found':
        return notFound(reply, id);
      case 'terminal':
        return sendError(reply, 409, messageError(`Query ${id} cannot be cancelled: it has already terminated.`));
      case 'killed':
        return reply.code(202).send({ message: 'Query cancel request received', statusCode: 202 });
    }
  });
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return sendError(reply, 404, messageError(`Query ${id} not found`));
}

// Connection specs and flow specs: static documents, listable with `property=` filters (aepp
// finds the data-lake source by `name==activation-datalake`) and readable by id.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FLOW_SERVICE_BASE, isBadQuery, sendRejection, type IdParams } from './crud.js';
import { FLOW_SERVICE_LIST_DEFAULTS, parseListQuery, renderCount } from './list-query.js';
import { matchesAll } from './memory-filter.js';
import { badRequest, notFound } from './rejection.js';
import { CONNECTION_SPECS, FLOW_SPECS } from './specs.js';

function listStatic(documents: readonly object[], request: FastifyRequest, reply: FastifyReply) {
  try {
    const query = parseListQuery((request.query ?? {}) as Record<string, unknown>, FLOW_SERVICE_LIST_DEFAULTS);
    const matching = documents.filter((document) => matchesAll(document, query.filters));
    if (query.count) return reply.send(renderCount(matching.length));
    // All specs fit in one page; no continuation needed.
    return reply.send({ items: matching.slice(0, query.limit), _links: {} });
  } catch (error) {
    if (isBadQuery(error)) return sendRejection(reply, badRequest('1002', error.message));
    throw error;
  }
}

export function registerSpecRoutes(app: FastifyInstance): void {
  app.get(`${FLOW_SERVICE_BASE}/connectionSpecs`, async (request, reply) => listStatic(CONNECTION_SPECS, request, reply));
  app.get(`${FLOW_SERVICE_BASE}/flowSpecs`, async (request, reply) => listStatic(FLOW_SPECS, request, reply));

  app.get<{ Params: IdParams }>(`${FLOW_SERVICE_BASE}/connectionSpecs/:id`, async (request, reply) => {
    const spec = CONNECTION_SPECS.find((s) => s.id === request.params.id);
    if (spec === undefined) return sendRejection(reply, notFound('connectionSpecs', request.params.id));
    return reply.send({ items: [spec] });
  });
  app.get<{ Params: IdParams }>(`${FLOW_SERVICE_BASE}/flowSpecs/:id`, async (request, reply) => {
    const spec = FLOW_SPECS.find((s) => s.id === request.params.id);
    if (spec === undefined) return sendRejection(reply, notFound('flowSpecs', request.params.id));
    return reply.send({ items: [spec] });
  });
}

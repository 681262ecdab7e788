// Flow actions: POST /flows/{id}/action?op=enable|disable (case-insensitive, no body). Enabling a
// disabled flow restarts its "not ready for ad hoc runs" window; a no-op action keeps the etag.
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { callerOf, FLOW_SERVICE_BASE, headerValue, sendRejection, type IdParams } from './crud.js';
import { touchedMeta } from './entity-meta.js';
import type { FlowBody } from './entities.js';
import { completedOperation, readyAtFrom } from './flow-routes.js';
import { badRequest, notFound, preconditionFailed } from './rejection.js';

const SUPPORTED = ['ENABLE', 'DISABLE'] as const;
const DOCUMENTED = ['ENABLE', 'DISABLE', 'FINALIZE_UPDATE', 'FINALIZE', 'PUBLISH'];

export function registerFlowActionRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  app.post<{ Params: IdParams; Querystring: { op?: string | string[] } }>(`${FLOW_SERVICE_BASE}/flows/:id/action`, async (request, reply) => {
    const { id } = request.params;
    const rawOp = request.query.op;
    const op = (Array.isArray(rawOp) ? rawOp[0] : rawOp)?.toUpperCase();
    if (op === undefined || op === '') return sendRejection(reply, badRequest('1060', 'Query parameter op is required (enable or disable)'));
    if (!DOCUMENTED.includes(op)) return sendRejection(reply, badRequest('1061', `Unknown op ${op}; one of ${DOCUMENTED.join(', ')}`));
    const supported = SUPPORTED.find((s) => s === op);
    if (supported === undefined) return sendRejection(reply, badRequest('1062', `op ${op} is not supported for dataset export flows`));

    const current = await ctx.entities.get<FlowBody>(request.tenancy, 'flow', id);
    if (current === null) return sendRejection(reply, notFound('flows', id));
    const expected = headerValue(request, 'if-match');
    if (expected !== undefined && expected.trim() !== current.etag) return sendRejection(reply, preconditionFailed(expected.trim(), current.etag));

    const targetState = supported === 'ENABLE' ? 'enabled' : 'disabled';
    if (current.body.state === targetState) return reply.code(200).send({ id, etag: current.etag });

    const caller = callerOf(request);
    const result = await ctx.entities.update<FlowBody>(
      request.tenancy,
      'flow',
      id,
      (body, newEtag) => ({
        ...body,
        ...touchedMeta(caller, ctx.now()),
        state: targetState,
        etag: newEtag,
        version: newEtag,
        lastOperation: completedOperation(supported === 'ENABLE' ? 'enable' : 'disable', ctx.now()),
        // Enabling resumes the schedule from now on: occurrences missed while disabled do not fire.
        __sim: supported === 'ENABLE' ? { ...body.__sim, readyAt: readyAtFrom(ctx), enabledAt: ctx.now() } : body.__sim,
      }),
      // Without If-Match the action applies to whatever version is current.
      expected?.trim(),
    );
    switch (result.outcome) {
      case 'not_found':
        return sendRejection(reply, notFound('flows', id));
      case 'etag_mismatch':
        return sendRejection(reply, preconditionFailed(expected?.trim(), result.current.etag));
      case 'updated':
        return reply.code(200).send({ id, etag: result.entity.etag });
    }
  });
}

// Handlers every Flow Service entity collection shares: get by id ({"items":[entity]}), list
// with filters/count/continuation, PATCH with If-Match, DELETE.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EntityKind, SimulatorContext } from '../context.js';
import { publicBody } from '../public-body.js';
import { InvalidFilterError } from '../store/filter-sql.js';
import type { Caller } from './entity-meta.js';
import { touchedMeta } from './entity-meta.js';
import { COLLECTIONS } from './entities.js';
import { applyPatch, parsePatch, PatchError, type PatchOp } from './json-patch.js';
import { FLOW_SERVICE_LIST_DEFAULTS, InvalidListQueryError, parseListQuery, renderCount, renderListPage } from './list-query.js';
import { badRequest, notFound, preconditionFailed, type Checked, type Rejection } from './rejection.js';

export const FLOW_SERVICE_BASE = '/data/foundation/flowservice';

export type CrudKind = keyof typeof COLLECTIONS;

export interface IdParams {
  id: string;
}

export function callerOf(request: FastifyRequest): Caller {
  return { tenancy: request.tenancy, clientId: request.imsClientId };
}

export function sendRejection(reply: FastifyReply, rejection: Rejection): FastifyReply {
  return reply.code(rejection.status).type('application/json').send(rejection.body);
}

export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What a GET shows of a stored body (default: everything but the simulator's own fields). */
export type EntityView = (body: object) => unknown;

export async function getOne(ctx: SimulatorContext, request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply, kind: CrudKind, view: EntityView = publicBody) {
  const entity = await ctx.entities.get<object>(request.tenancy, kind, request.params.id);
  if (entity === null) return sendRejection(reply, notFound(COLLECTIONS[kind], request.params.id));
  return reply.send({ items: [view(entity.body)] });
}

export function isBadQuery(error: unknown): error is Error {
  return error instanceof InvalidListQueryError || error instanceof InvalidFilterError;
}

export async function listAll(ctx: SimulatorContext, request: FastifyRequest, reply: FastifyReply, kind: EntityKind, basePath: string, view: EntityView = publicBody) {
  const rawQuery = (request.query ?? {}) as Record<string, unknown>;
  try {
    const query = parseListQuery(rawQuery, FLOW_SERVICE_LIST_DEFAULTS);
    if (query.count) return reply.send(renderCount(await ctx.entities.count(request.tenancy, kind, query.filters)));
    const page = await ctx.entities.list<object>(request.tenancy, kind, query);
    return reply.send(renderListPage(page, basePath, rawQuery, view));
  } catch (error) {
    if (isBadQuery(error)) return sendRejection(reply, badRequest('1002', error.message));
    throw error;
  }
}

export async function deleteOne(ctx: SimulatorContext, request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply, kind: CrudKind) {
  const deleted = await ctx.entities.delete(request.tenancy, kind, request.params.id);
  if (!deleted) return sendRejection(reply, notFound(COLLECTIONS[kind], request.params.id));
  return reply.code(202).send();
}

/** Turns the patched document into the body to store, or refuses it (re-validation per kind). */
export type PatchPreparer<Body> = (current: Body, patched: Body, ops: PatchOp[]) => Checked<Body> | Promise<Checked<Body>>;

/**
 * PATCH with If-Match: the quoted etag must match (412 otherwise, also when missing or unquoted);
 * ops apply to whitelisted fields, the result is re-validated, and the write is conditional on
 * the same etag so a concurrent change also yields 412.
 */
export async function patchOne<Body extends { etag: string; version: string }>(
  ctx: SimulatorContext,
  request: FastifyRequest<{ Params: IdParams }>,
  reply: FastifyReply,
  kind: CrudKind,
  allowedFields: ReadonlySet<string>,
  prepare: PatchPreparer<Body>,
) {
  const { id } = request.params;
  const current = await ctx.entities.get<Body>(request.tenancy, kind, id);
  if (current === null) return sendRejection(reply, notFound(COLLECTIONS[kind], id));
  const ifMatch = headerValue(request, 'if-match')?.trim();
  if (ifMatch !== current.etag) return sendRejection(reply, preconditionFailed(ifMatch, current.etag));

  let ops: PatchOp[];
  let patched: Body;
  try {
    ops = parsePatch(request.body);
    patched = applyPatch(current.body, ops, allowedFields);
  } catch (error) {
    if (error instanceof PatchError) return sendRejection(reply, badRequest('1050', error.message));
    throw error;
  }
  const prepared = await prepare(current.body, patched, ops);
  if (!prepared.ok) return sendRejection(reply, prepared.rejection);

  const caller = callerOf(request);
  const result = await ctx.entities.update<Body>(
    request.tenancy,
    kind,
    id,
    (_stored, newEtag) => ({ ...prepared.value, ...touchedMeta(caller, ctx.now()), etag: newEtag, version: newEtag }),
    ifMatch,
  );
  switch (result.outcome) {
    case 'not_found':
      return sendRejection(reply, notFound(COLLECTIONS[kind], id));
    case 'etag_mismatch':
      return sendRejection(reply, preconditionFailed(ifMatch, result.current.etag));
    case 'updated':
      return reply.code(200).send({ id, etag: result.entity.etag });
  }
}


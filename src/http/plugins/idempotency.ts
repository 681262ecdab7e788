// Idempotency-Key on the POST routes that create (route config `idempotent: true`): the first
// request with a key runs and its answer is stored; the same key with the same method, path and body
// replays that answer byte for byte (`Idempotent-Replayed: true`); with another request it is a 422;
// while the first is still running, a 409 with Retry-After. Keys are per tenant and kept
// config.idempotency.ttlSeconds (24 h by default), purged hourly. Answers of 5xx are not stored (unlike
// Stripe): the record is deleted so a retry with the same key runs again. The header is optional.
// Stored bodies are sealed with the secrets keyring: some answers carry a secret shown once (a new
// API key), and it must not sit in the table in clear.
// Two ways to hold a key. `idempotent: true`: a claim row before the handler, its answer stored
// after. `idempotent: 'atomic'`: no claim; the handler's own write stores the key with its answer
// (src/security/idempotent-answers.ts), so nothing can commit without its key or the other way
// round, and a crash between the two cannot leave a key answering 409 (POST /exports and the pipeline starts use it).
// An atomic route's 4xx answers (nothing written) are stored here after the fact, first come first kept.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyRecord,
  purgeExpiredIdempotencyKeys,
  recordIdempotentAnswer,
  releaseIdempotencyKey,
  type IdempotencyClaim,
  type IdempotencyRequest,
} from '../../security/idempotency-store.js';
import { createIdempotentAnswers, inFlightError, mismatchError, type IdempotentAnswer } from '../../security/idempotent-answers.js';
import { bodyFingerprint } from '../../security/request-fingerprint.js';
import { problemResponses } from '../routes/problem-schema.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A POST that creates: honours Idempotency-Key (see src/http/plugins/idempotency.ts). */
    idempotent?: boolean | 'atomic';
  }
}

export const idempotencyKeyHeader = 'idempotency-key';
export const replayedHeader = 'idempotent-replayed';

/** 1 to 255 printable ASCII characters (a UUID is a good choice). */
const keyPattern = /^[\x20-\x7e]{1,255}$/;
const keyMessage = 'must be 1 to 255 printable ASCII characters';

/** Response headers replayed with the stored body. */
const replayedHeaders = ['content-type', 'location'];

const purgeIntervalMs = 60 * 60_000;

/** Claims of the requests in flight on this process. */
const claims = new WeakMap<FastifyRequest, IdempotencyClaim>();
/** Each request's body as parsed from JSON, before validation applied defaults. */
const rawBodies = new WeakMap<FastifyRequest, unknown>();
/** The key of each request of an atomic route, for its handler's write. */
const atomicScopes = new WeakMap<FastifyRequest, IdempotencyRequest>();
/** Requests of atomic routes whose answer the handler wrote or replayed (nothing left to store). */
const settled = new WeakSet<FastifyRequest>();

/** The Idempotency-Key of a request to an atomic route, for the handler's write; undefined without a key. */
export function idempotencyScopeOf(request: FastifyRequest): IdempotencyRequest | undefined {
  return atomicScopes.get(request);
}

/** Sends an atomic route's answer as built (and stored) by its write, or as replayed. */
export function sendIdempotentAnswer(request: FastifyRequest, reply: FastifyReply, answer: IdempotentAnswer): FastifyReply {
  settled.add(request);
  return answer.replayed ? replay(reply, answer) : reply.status(answer.statusCode).headers(answer.headers).send(answer.body);
}

function keyOf(request: FastifyRequest): string | undefined {
  const header = request.headers[idempotencyKeyHeader];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !keyPattern.test(header)) {
    throw new AppError('validation_error', `headers/${idempotencyKeyHeader}: ${keyMessage}`, {
      errors: [{ location: 'headers', pointer: `/${idempotencyKeyHeader}`, message: keyMessage }],
    });
  }
  return header;
}

function replayableHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of replayedHeaders) {
    const value = reply.getHeader(name);
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

function replay(reply: FastifyReply, record: { statusCode: number; body: string; headers: Record<string, string> }): FastifyReply {
  return reply.status(record.statusCode).headers(record.headers).header(replayedHeader, 'true').send(record.body);
}

export default fp(
  async function idempotency(app: FastifyInstance, opts: { db: Db; secrets: SecretBox; ttlSeconds: number }) {
    const { db, secrets } = opts;
    const answers = createIdempotentAnswers({ db, secrets, ttlSeconds: opts.ttlSeconds, headerName: idempotencyKeyHeader });

    // Document the header and the two new answers on every opted-in route.
    app.addHook('onRoute', (route) => {
      if (!route.config?.idempotent) return;
      route.schema ??= {};
      route.schema.headers ??= z.object({
        [idempotencyKeyHeader]: z
          .string()
          .regex(keyPattern, keyMessage)
          .optional()
          .describe(`Makes the request safe to retry: the first answer is replayed for ${opts.ttlSeconds / 3600} h to the same key, method, path and body.`),
      });
      const extra = problemResponses(409, 422);
      route.schema.response = { 409: extra[409], 422: extra[422], ...(route.schema.response as object | undefined) };
    });

    app.addHook('preValidation', async (request) => {
      if (request.routeOptions.config.idempotent && request.headers[idempotencyKeyHeader] !== undefined) rawBodies.set(request, request.body);
    });

    app.addHook('preHandler', async (request, reply) => {
      if (!request.routeOptions.config.idempotent) return;
      const key = keyOf(request);
      if (key === undefined) return;
      const req: IdempotencyRequest = {
        tenantId: request.auth.tenantId,
        key,
        method: request.method,
        path: request.url,
        bodyHash: bodyFingerprint(rawBodies.get(request)),
      };
      if (request.routeOptions.config.idempotent === 'atomic') {
        atomicScopes.set(request, req);
        return;
      }
      // Two rounds: a record can vanish between the claim and the read when its request failed.
      for (let round = 0; round < 2; round++) {
        const claim = await claimIdempotencyKey(db, req, opts.ttlSeconds);
        if (claim) {
          claims.set(request, claim);
          return;
        }
        const record = await findIdempotencyRecord(db, req.tenantId, key);
        if (!record) continue;
        if (record.method !== req.method || record.path !== req.path || record.bodyHash !== req.bodyHash) throw mismatchError(idempotencyKeyHeader);
        if (record.state === 'done' && record.statusCode !== null && record.body !== null) {
          return replay(reply, { statusCode: record.statusCode, body: secrets.open(record.body), headers: record.headers });
        }
        break;
      }
      throw inFlightError();
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const scope = atomicScopes.get(request);
      if (scope) {
        atomicScopes.delete(request);
        // A 4xx of an atomic route wrote nothing: keep it for replay unless the key is taken by now.
        const failedBeforeWriting = reply.statusCode >= 400 && reply.statusCode < 500 && !settled.has(request);
        if (failedBeforeWriting && typeof payload === 'string' && reply.getHeader(replayedHeader) === undefined) {
          await recordIdempotentAnswer(db, scope.tenantId, answers.sealed(scope, { statusCode: reply.statusCode, body: payload, headers: replayableHeaders(reply) })).catch(
            (err: unknown) => request.log.warn({ err }, 'could not record the Idempotency-Key outcome'),
          );
        }
        return payload;
      }
      const claim = claims.get(request);
      if (!claim) return payload;
      claims.delete(request);
      try {
        if (reply.statusCode >= 500 || typeof payload !== 'string') {
          await releaseIdempotencyKey(db, claim);
        } else {
          await completeIdempotencyKey(db, claim, { statusCode: reply.statusCode, body: secrets.seal(payload), headers: replayableHeaders(reply) });
        }
      } catch (err) {
        // The answer still goes out; the record is taken over once it counts as abandoned.
        request.log.warn({ err }, 'could not record the Idempotency-Key outcome');
      }
      return payload;
    });

    const purge = () => {
      purgeExpiredIdempotencyKeys(db).catch((err: unknown) => app.log.warn({ err }, 'purging expired Idempotency-Keys failed'));
    };
    const timer = setInterval(purge, purgeIntervalMs).unref();
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'idempotency', dependencies: ['auth'] },
);

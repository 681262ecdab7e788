// Answers of create requests that record their Idempotency-Key in the same write as what they
// create (route config `idempotent: 'atomic'`, see src/http/plugins/idempotency.ts): the answer is
// built before the write, sealed, and stored by the write itself, so the key's record and the
// created row commit together. A retry then finds either both (and replays the answer) or neither
// (and runs again); it never waits on a record whose request died after its commit.
import type { SecretBox } from '../crypto/secret-box.js';
import type { DbOrTx } from '../db/client.js';
import { AppError } from '../errors.js';
import { findIdempotencyRecord, recordIdempotentAnswer, type IdempotencyRequest, type SealedAnswerRecord } from './idempotency-store.js';

export type { SealedAnswerRecord };

/** An answer as sent: the body is the exact JSON text, replayed byte for byte. */
export interface IdempotentAnswer {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
  /** true when this is a stored answer of an earlier request with the same key. */
  replayed: boolean;
}

export const jsonContentType = 'application/json; charset=utf-8';

export function mismatchError(headerName: string): AppError {
  return new AppError('idempotency_mismatch', 'This Idempotency-Key was first used with a different method, path or body; use a new key for a new request.', {
    errors: [{ location: 'headers', pointer: `/${headerName}`, message: 'was used for another request' }],
  });
}

export function inFlightError(): AppError {
  return new AppError('idempotency_in_flight', 'A request with this Idempotency-Key is still being processed; retry shortly to get its answer.', {
    headers: { 'retry-after': '1' },
  });
}

/** Stores an answer for the key inside the create's transaction; throws when another request holds the key. */
export type BindAnswer = (tx: DbOrTx, answer: Omit<IdempotentAnswer, 'replayed'>) => Promise<void>;

class KeyTakenError extends Error {
  override name = 'KeyTakenError';
}

export interface IdempotentAnswers {
  /** The record to write with the row, for an answer about to be sent. */
  sealed(scope: IdempotencyRequest, answer: Omit<IdempotentAnswer, 'replayed'>): SealedAnswerRecord;
  /**
   * The stored answer of the request that holds the key: 422 for another request, 409 while one
   * is still running (a record of a route that claims keys first); null when the record is gone
   * (expired meanwhile), so the caller runs the request after all.
   */
  replay(scope: IdempotencyRequest): Promise<IdempotentAnswer | null>;
  /**
   * Runs a create whose transaction stores its answer for the key (bind, last in the transaction):
   * the row and the key's record commit together. A key another request holds is answered with that
   * request's answer; so is a refusal (4xx) of a key that already answered.
   */
  createOnce(scope: IdempotencyRequest | undefined, create: (bind: BindAnswer) => Promise<IdempotentAnswer>): Promise<IdempotentAnswer>;
  /** A 4xx refusal of a request whose key already answered gets that answer instead. */
  refusedUnlessAnswered(scope: IdempotencyRequest | undefined, error: unknown): Promise<IdempotentAnswer>;
}

export function createIdempotentAnswers(opts: { db: DbOrTx; secrets: SecretBox; ttlSeconds: number; headerName: string }): IdempotentAnswers {
  const answers: IdempotentAnswers = {
    sealed(scope, answer) {
      return {
        key: scope.key,
        method: scope.method,
        path: scope.path,
        bodyHash: scope.bodyHash,
        statusCode: answer.statusCode,
        sealedBody: opts.secrets.seal(answer.body),
        headers: answer.headers,
        ttlSeconds: opts.ttlSeconds,
      };
    },
    async replay(scope) {
      const record = await findIdempotencyRecord(opts.db, scope.tenantId, scope.key);
      if (!record) return null;
      if (record.method !== scope.method || record.path !== scope.path || record.bodyHash !== scope.bodyHash) throw mismatchError(opts.headerName);
      if (record.state !== 'done' || record.statusCode === null || record.body === null) throw inFlightError();
      return { statusCode: record.statusCode, body: opts.secrets.open(record.body), headers: record.headers, replayed: true };
    },
    async createOnce(scope, create) {
      const bind: BindAnswer = async (tx, answer) => {
        if (scope && !(await recordIdempotentAnswer(tx, scope.tenantId, answers.sealed(scope, answer)))) throw new KeyTakenError();
      };
      // Rounds: the holder's record may expire between the conflict and its replay.
      for (let round = 0; round < 3; round++) {
        try {
          return await create(bind);
        } catch (error) {
          if (!(error instanceof KeyTakenError) || !scope) return answers.refusedUnlessAnswered(scope, error);
          const stored = await answers.replay(scope);
          if (stored) return stored;
        }
      }
      throw new AppError('service_unavailable', 'The request could not be completed right now; retry with the same Idempotency-Key.', { headers: { 'retry-after': '1' } });
    },
    async refusedUnlessAnswered(scope, error) {
      if (scope && error instanceof AppError && error.status < 500) {
        const stored = await answers.replay(scope);
        if (stored) return stored;
      }
      throw error;
    },
  };
  return answers;
}

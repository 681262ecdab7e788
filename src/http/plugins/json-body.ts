// The JSON body parser: Fastify's own (secure-json-parse, refusing __proto__ and constructor
// poisoning) plus one rule: no string may hold a NUL character or an unpaired UTF-16 surrogate.
// Postgres text cannot store NUL (the insert would fail as a 500) and a lone surrogate would be
// stored silently replaced, so both are a 400 naming the field instead. An empty body is no body.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.js';

/** Only JSON escapes can put these in a parsed string (raw bytes are decoded as U+FFFD). */
const suspiciousEscape = /\\u(0000|d[89a-f])/i;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isBad = (text: string) => text.includes('\u0000') || loneSurrogate.test(text);

interface Visit {
  value: unknown;
  key: string;
  parent: Visit | null;
}

const pointerOf = (visit: Visit): string => {
  const parts: string[] = [];
  for (let v: Visit | null = visit; v?.parent; v = v.parent) parts.unshift(v.key.replaceAll('~', '~0').replaceAll('/', '~1'));
  return parts.length ? `/${parts.join('/')}` : '/';
};

/** JSON Pointer of the first string (or key) with a bad character; iterative, so deep nesting is safe. */
export function findBadString(root: unknown): string | null {
  const stack: Visit[] = [{ value: root, key: '', parent: null }];
  while (stack.length) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      if (isBad(value)) return pointerOf(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const childVisit = { value: child, key, parent: visit };
        if (isBad(key)) return pointerOf(childVisit);
        stack.push(childVisit);
      }
    }
  }
  return null;
}

const message = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * A JSON syntax error in our words. V8's own message quotes the start of the body ("Unexpected
 * token 'a', \"api_key=ab\"... is not valid JSON"), and the body may be a credential sent the
 * wrong way (a form body labelled as JSON): that text must reach neither the answer nor the log.
 */
function syntaxError(err: Error): Error {
  if ((err as { code?: unknown }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return err;
  const position = /at position (\d+)/.exec(err.message)?.[1];
  const detail = /forbidden (prototype|constructor)/i.test(err.message)
    ? 'must not contain __proto__ or constructor.prototype keys'
    : position === undefined
      ? 'is not valid JSON'
      : `is not valid JSON (syntax error at position ${position})`;
  return new AppError('validation_error', `body: ${detail}`, { errors: [{ location: 'body', pointer: '/', message: detail }] });
}

export default fp(
  async function jsonBody(app: FastifyInstance) {
    const parse = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      // A JSON content type with no body (what many clients send on a bodiless POST such as
      // /exports/:id/runs) is no body at all; a route that needs one says which fields it lacks.
      if (body === '') return done(null, undefined);
      void parse(request, body as string, (err, value: unknown) => {
        if (err) return done(syntaxError(err), undefined);
        const pointer = suspiciousEscape.test(body as string) ? findBadString(value) : null;
        if (pointer) return done(new AppError('validation_error', `body${pointer === '/' ? '' : pointer}: ${message}`, { errors: [{ location: 'body', pointer, message }] }), undefined);
        done(null, value);
      });
    });
  },
  { name: 'json-body' },
);

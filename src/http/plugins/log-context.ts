// Puts the request id into the log context for the whole request, so every line logged while it
// is handled carries `reqId`, including lines from services that hold the root logger. Body
// parsing resumes in the socket's async context, so preValidation re-enters the request's own.
import { AsyncResource } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { withLogContext } from '../../logger.js';

export default fp(
  async function logContextPlugin(app: FastifyInstance) {
    const scopes = new WeakMap<FastifyRequest, AsyncResource>();
    app.addHook('onRequest', (request, _reply, done) => {
      withLogContext({ reqId: request.id }, () => {
        scopes.set(request, new AsyncResource('aepj-request'));
        done();
      });
    });
    app.addHook('preValidation', (request, _reply, done) => {
      const scope = scopes.get(request);
      if (scope) scope.runInAsyncScope(done);
      else done();
    });
  },
  { name: 'log-context' },
);

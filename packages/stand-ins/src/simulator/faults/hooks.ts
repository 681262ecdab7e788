// Fastify hooks that apply the fault injector to every non-admin call: latency first, then an
// injected 5xx/429 instead of the real answer, or — after the real handler ran, so a create is
// applied — a dropped connection or a response held until the client gives up.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { flowError, gatewayError } from '../errors.js';
import type { FaultRule } from './fault-config.js';
import type { SimulatorFaultInjector } from './injector.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A dropResponse/timeout fault chosen for this call, applied in onSend. */
    simFault: FaultRule | null;
  }
}

export const ADMIN_PREFIX = '/simulator/admin';
const MAX_HOLD_MS = 60_000;

function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] ?? request.url;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function registerFaultHooks(app: FastifyInstance, injector: SimulatorFaultInjector): void {
  // Held responses are released when the simulator closes, so close() never waits 60 s.
  const releases = new Set<() => void>();
  app.decorateRequest('simFault', null);

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request);
    if (path.startsWith(ADMIN_PREFIX)) return;
    const delay = injector.latencyMs();
    if (delay > 0) await sleep(delay);
    const rule = injector.pickRule(request.method, path);
    if (rule === null) return;
    request.log.info({ fault: rule.effect, path }, 'simulator fault injected');
    switch (rule.effect) {
      case 'error5xx': {
        const status = rule.status ?? 503;
        return reply
          .code(status)
          .type('application/json')
          .send(
            path.startsWith('/ims/')
              ? { error: 'server_error', error_description: 'Injected server error' }
              : flowError({ code: '0000', status, message: 'Internal error (injected by the Platform simulator)', requestId: request.id }),
          );
      }
      case 'rateLimit':
        return reply
          .code(429)
          .header('retry-after', String(rule.retryAfterSeconds ?? 1))
          .type('application/json')
          .send(gatewayError('429050', 'Too many requests'));
      case 'dropResponse':
      case 'timeout':
        request.simFault = rule;
        return;
    }
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const rule = request.simFault;
    if (rule === null) return payload;
    const socket = request.raw.socket;
    if (rule.effect === 'dropResponse') {
      socket.destroy();
      return payload;
    }
    if (rule.effect === 'timeout') {
      await new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer);
          socket.off('close', release);
          releases.delete(release);
          resolve();
        };
        const timer = setTimeout(release, Math.min(rule.holdMs ?? MAX_HOLD_MS, MAX_HOLD_MS));
        socket.once('close', release);
        releases.add(release);
      });
    }
    return payload;
  });

  app.addHook('onClose', (_instance, done) => {
    for (const release of [...releases]) release();
    done();
  });
}

// Admin endpoints of the simulator (outside the Platform gateway): read and replace the fault
// configuration, expire every IMS token issued so far, and a health check. Guarded by SIMULATOR_ADMIN_TOKEN when it is set.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PgTokenStore } from '../store/token-store.js';
import type { SimulatorContext } from '../context.js';
import { faultConfigSchema } from './fault-config.js';
import { ADMIN_PREFIX } from './hooks.js';

export function registerAdminRoutes(app: FastifyInstance, ctx: SimulatorContext, tokens: Pick<PgTokenStore, 'expireAll'>): void {
  void app.register(
    (admin, _options, done) => {
      admin.addHook('onRequest', async (request, reply) => {
        if (ctx.config.adminToken === undefined) return;
        if (request.headers.authorization !== `Bearer ${ctx.config.adminToken}`) {
          await reply.code(401).send({ message: 'admin token required' });
        }
      });

      admin.get('/faults', (_request, reply) => reply.send(ctx.faults.current()));

      admin.put('/faults', (request, reply) => {
        const parsed = faultConfigSchema.safeParse(request.body ?? {});
        if (!parsed.success) return reply.code(400).send({ message: z.prettifyError(parsed.error) });
        return reply.send(ctx.faults.set(parsed.data));
      });

      // Every IMS token issued so far stops working at once (tests of a client's 401 handling).
      admin.post('/tokens/expire', async () => ({ expired: await tokens.expireAll() }));

      admin.get('/health', async (_request, reply) => {
        try {
          await ctx.pool.query('SELECT 1');
          return { status: 'ok', schema: ctx.schema, profile: ctx.config.profile };
        } catch {
          return reply.code(503).send({ status: 'unavailable' });
        }
      });
      done();
    },
    { prefix: ADMIN_PREFIX },
  );
}

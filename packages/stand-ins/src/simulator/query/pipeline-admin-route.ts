// GET/PUT /simulator/admin/pipeline: read and change the pipeline timing knobs (PUT merges the
// fields it is given). Outside the gateway like the other admin routes, and guarded by
// SIMULATOR_ADMIN_TOKEN when it is set.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context.js';
import { ADMIN_PREFIX } from '../faults/hooks.js';
import { pipelineSettingsFor, pipelineSettingsPatchSchema } from './pipeline-settings.js';

export const PIPELINE_ADMIN_PATH = `${ADMIN_PREFIX}/pipeline`;

export function registerPipelineAdminRoute(app: FastifyInstance, ctx: SimulatorContext): void {
  const settings = pipelineSettingsFor(ctx);
  void app.register(async (admin) => {
    admin.addHook('onRequest', async (request, reply) => {
      if (ctx.config.adminToken === undefined) return;
      if (request.headers.authorization !== `Bearer ${ctx.config.adminToken}`) await reply.code(401).send({ message: 'admin token required' });
    });
    admin.get(PIPELINE_ADMIN_PATH, async () => settings.current());
    admin.put(PIPELINE_ADMIN_PATH, async (request, reply) => {
      const patch = pipelineSettingsPatchSchema.safeParse(request.body ?? {});
      if (!patch.success) return reply.code(400).send({ message: z.prettifyError(patch.error) });
      return settings.update(patch.data);
    });
  });
}

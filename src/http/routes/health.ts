// Liveness and readiness. /readyz checks what a request needs: Postgres, Redis, migrations.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { pendingMigrations } from '../../db/migrate.js';

const HealthSchema = z.object({ status: z.literal('ok') });
const ReadinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ postgres: z.string(), redis: z.string(), migrations: z.string() }),
});

async function appliedMigrations(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  return rows.map((r) => r.migration_name);
}

export const healthRoutes: FastifyPluginAsyncZod<{ db: Db; redis: Redis }> = async (app, { db, redis }) => {
  app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness', response: { 200: HealthSchema } } }, () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness', response: { 200: ReadinessSchema, 503: ReadinessSchema } } },
    async (_request, reply) => {
      const postgres = await db.$queryRaw`SELECT 1`.then(() => 'ok', (e: unknown) => `down: ${(e as Error).message}`);
      const redisState = await redis.ping().then(() => 'ok', (e: unknown) => `down: ${(e as Error).message}`);
      const migrations =
        postgres === 'ok'
          ? await appliedMigrations(db)
              .then(pendingMigrations)
              .then((p) => (p.length ? `pending: ${p.join(', ')}` : 'ok'))
          : 'unknown';
      const ready = postgres === 'ok' && redisState === 'ok' && migrations === 'ok';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { postgres, redis: redisState, migrations } });
    },
  );
};

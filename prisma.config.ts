import { defineConfig } from 'prisma/config';

// The CLI reads the URL only for migrate/studio; generate needs none.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/aep_jobs' },
});

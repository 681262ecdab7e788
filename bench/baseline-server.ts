// The naive baseline of the accept benchmark: bare Fastify, one Prisma insert, one BullMQ add, and
// nothing else (no auth, validation, idempotency, governance check or outbox). Same database, same
// Prisma client, same Redis, so the ratio against it prices exactly what the real API adds.
// Env: PORT, DATABASE_URL, REDIS_URL, TENANT_ID, DESTINATION_ID. Prints "baseline listening at <url>".
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { createDb } from '../src/db/client.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const db = createDb(required('DATABASE_URL'), 10);
const queue = new Queue('baseline-exports', { connection: { url: required('REDIS_URL') }, prefix: 'baseline' });
const tenantId = required('TENANT_ID');
const destinationId = required('DESTINATION_ID');

interface Body {
  datasetId: string;
  path: string;
  format: string;
  compression: string;
}

const app = Fastify({ logger: false });
app.post<{ Body: Body }>('/exports', async (request, reply) => {
  const row = await db.export.create({
    data: {
      id: randomUUID(),
      tenantId,
      destinationId,
      datasetId: request.body.datasetId,
      path: request.body.path,
      format: request.body.format,
      compression: request.body.compression,
      status: 'queued',
      step: 'pending',
      nextCheckAt: new Date(),
    },
  });
  await queue.add('export.run', { exportId: row.id }, { jobId: row.id });
  return reply.status(202).send({ id: row.id, status: row.status });
});

const url = await app.listen({ host: '127.0.0.1', port: Number(env.PORT ?? 0) });
console.log(`baseline listening at ${url}`);

const close = async (): Promise<void> => {
  await app.close();
  await queue.close();
  await db.$disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());

// BullMQ connections. The API's producer fails fast when Redis is down (the row is already
// committed and the sweeper will enqueue it); workers wait for Redis forever.
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { jobCatalog, type JobName, type JobPayload } from './catalog.js';

export function producerConnection(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false });
}

export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableOfflineQueue: true });
}

export interface JobProducer {
  /** Enqueues by row id; a second add of the same id while the job exists is a no-op. */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts?: { delayMs?: number }): Promise<void>;
  enqueueMany<N extends JobName>(name: N, payloads: JobPayload<N>[]): Promise<void>;
  close(): Promise<void>;
  queue(name: string): Queue;
}

function jobIdOf(payload: Record<string, unknown>): string {
  const id = Object.values(payload)[0];
  if (typeof id !== 'string') throw new Error('job payloads start with their row id');
  return id;
}

export function createProducer(connection: ConnectionOptions, prefix: string): JobProducer {
  const queues = new Map<string, Queue>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      q.on('error', () => undefined); // surfaced through the failing add() instead
      queues.set(name, q);
    }
    return q;
  };
  return {
    async enqueue(name, payload, opts) {
      const entry = jobCatalog[name];
      const data = entry.payload.parse(payload);
      await queue(entry.queue).add(name, data, {
        ...entry.options,
        jobId: jobIdOf(data),
        ...(opts?.delayMs ? { delay: opts.delayMs } : {}),
      });
    },
    async enqueueMany(name, payloads) {
      if (payloads.length === 0) return;
      const entry = jobCatalog[name];
      await queue(entry.queue).addBulk(
        payloads.map((p) => {
          const data = entry.payload.parse(p);
          return { name, data, opts: { ...entry.options, jobId: jobIdOf(data) } };
        }),
      );
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
    queue,
  };
}

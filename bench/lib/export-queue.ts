// The benchmark's own handle on a world's export queue (the one the API fills and the worker
// drains), to pause and resume it or ask where a job is. Close it when done.
import { Queue } from 'bullmq';
import { queueNames } from '../../src/jobs/catalog.js';
import type { BenchWorld } from './bench-world.js';

export function openExportQueue(world: BenchWorld): Queue {
  const queue = new Queue(queueNames.exports, { connection: { url: world.redis.url }, prefix: world.env.QUEUE_PREFIX });
  queue.on('error', () => undefined); // a failing call still rejects; the event would only add noise
  return queue;
}

// Queue depths from BullMQ for the `aepj_queue_jobs` gauge. The queues are asked for lazily, on
// scrape, so building the app never opens a Redis connection by itself.
import type { Queue } from 'bullmq';
import type { QueueDepthSource } from './service-metrics.js';

export function bullQueueDepths(queues: () => Queue[]): QueueDepthSource {
  return async () => Promise.all(queues().map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts() })));
}

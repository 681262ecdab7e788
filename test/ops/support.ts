// Shared pieces of the operations tests: the worker tests' world (API + in-process worker +
// simulator, test/worker/helpers.ts) with the API also listening on a real port, for clients that
// speak HTTP (event streams, the CLI, a browser); and a small Prometheus text parser.
import { startWorld, type World, type WorldOptions } from '../worker/helpers.js';

export interface ListeningWorld extends World {
  /** e.g. http://127.0.0.1:43121 */
  baseUrl: string;
}

export async function startListeningWorld(options: WorldOptions = {}): Promise<ListeningWorld> {
  const world = await startWorld(options);
  const baseUrl = await world.api.app.listen({ host: '127.0.0.1', port: 0 });
  return Object.assign(world, { baseUrl });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `where`. */
export function sumOf(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/** Whether a sample named `name` with labels including `where` exists. */
export function hasSample(samples: Sample[], name: string, where: Record<string, string> = {}): boolean {
  return samples.some((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

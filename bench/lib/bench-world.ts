// The system under measurement, every part a real process: the chaos suite's world (a private
// Redis, a fresh migrated database, the simulator as a child process, a tenant with an API key,
// src/server.ts and src/worker.ts as child processes), started with the service's *production*
// settings except where a benchmark says otherwise, and quiet logs (a log line per request would
// measure the terminal).
import { startChaosWorld, type ChaosWorld } from '../../test/support/chaos/chaos-world.js';
import { spreadExports, type ExportSpec } from '../../test/support/chaos/export-batch.js';
import type { SimulatorProcessOptions } from '../../test/support/chaos/simulator-process.js';
import { fakeDestinationBodies } from '../../test/support/api.js';

/** Service defaults from src/config.ts, undoing the chaos suite's short waits; only logging is quieter. */
const productionSettings: Record<string, string> = {
  LOG_LEVEL: 'warn',
  RUN_POLL_INITIAL_MS: '1000',
  RUN_POLL_MAX_MS: '60000',
  NOT_READY_RETRY_INITIAL_MS: '1000',
  NOT_READY_RETRY_MAX_MS: '120000',
  SWEEPER_INTERVAL_MS: '5000',
  SWEEPER_GRACE_MS: '15000',
  WORKER_CONCURRENCY: '20',
  DATABASE_POOL_SIZE: '20',
  WORKER_LOCK_DURATION_MS: '30000',
  WORKER_STALLED_INTERVAL_MS: '5000',
  PLATFORM_TIMEOUT_MS: '30000',
  // The per-key limit (6,000/min by default) would cap every load test at 100 requests/s.
  RATE_LIMIT_PER_MINUTE: '100000000',
};

export interface BenchWorldOptions {
  label: string;
  simulator?: Partial<SimulatorProcessOptions>;
  /** Service settings on top of the production ones. */
  env?: Record<string, string>;
}

export type BenchWorld = ChaosWorld;

export async function startBenchWorld(options: BenchWorldOptions): Promise<BenchWorld> {
  return startChaosWorld({
    label: `bench${options.label}`,
    // No line per simulator request either: the stand-in's logging is not the system under measurement.
    simulator: { notReadySeconds: 0, runSeconds: 0, seedUsers: 100, requestLogs: false, ...options.simulator },
    env: { ...productionSettings, ...options.env },
    allowSensitiveLabels: true,
  });
}

export interface ExportTargets {
  destinations: string[];
  datasets: string[];
}

/** `count` DLZ destinations and every exportable dataset of the sandbox. */
export async function createExportTargets(world: BenchWorld, count: number): Promise<ExportTargets> {
  const destinations: string[] = [];
  for (let i = 0; i < count; i++) destinations.push(await world.createDestination({ ...fakeDestinationBodies.dlz, name: `bench dlz ${i}` }));
  const datasets = [...(await world.datasets()).values()];
  return { destinations, datasets };
}

/** Exports spread over `bindings` distinct flows (a flow runs one export at a time at the Platform). */
export function exportSpecs(count: number, bindings: number, targets: ExportTargets): ExportSpec[] {
  return spreadExports(count, bindings, targets.destinations, targets.datasets).map((spec, i) => ({ ...spec, path: `bench/b${i % bindings}` }));
}

export { postExports } from '../../test/support/chaos/export-batch.js';

// Platform calls per export, counted by the worker itself: one export to a destination nobody has
// exported to yet (base connection, source and target connection, flow: each looked up by name,
// then created), then the same export again (same destination, dataset, path and format), which
// should reuse everything and make one write call, the run itself, plus polls.
import { fakeDestinationBodies } from '../test/support/api.js';
import { postExports, type BenchWorld, type ExportTargets } from './lib/bench-world.js';
import { waitUntilTerminal } from './lib/export-rows.js';
import { callBreakdown, metricDelta, scrapeMetrics, type CallBreakdown } from './worker-metrics.js';

export interface CallsPerExport {
  /** Worker calls for the first export to a brand-new destination (includes the worker's first IMS token). */
  first: CallBreakdown;
  /** Worker calls for the repeated export. */
  repeated: CallBreakdown;
  /** API calls while accepting each export (the dataset check; cached briefly). */
  apiFirst: CallBreakdown;
  apiRepeated: CallBreakdown;
}

async function oneExport(world: BenchWorld, workerMetricsUrl: string, spec: Parameters<typeof postExports>[1][number]): Promise<{ worker: CallBreakdown; api: CallBreakdown }> {
  const apiMetricsUrl = `${world.api.url}/metrics`;
  const [workerBefore, apiBefore] = await Promise.all([scrapeMetrics(workerMetricsUrl), scrapeMetrics(apiMetricsUrl)]);
  const { accepted } = await postExports(world, [spec], 1);
  const done = await waitUntilTerminal(world.pool, accepted, { timeoutMs: 120_000, pollMs: 50 });
  if (done.byStatus.succeeded !== 1) {
    const { rows } = await world.pool.query<{ error: unknown }>('SELECT error FROM exports WHERE id = ANY($1::uuid[])', [accepted]);
    throw new Error(`the call-count export did not succeed: ${JSON.stringify(done.byStatus)} ${JSON.stringify(rows[0]?.error ?? null)}`);
  }
  const [workerAfter, apiAfter] = await Promise.all([scrapeMetrics(workerMetricsUrl), scrapeMetrics(apiMetricsUrl)]);
  return { worker: callBreakdown(metricDelta(workerBefore, workerAfter)), api: callBreakdown(metricDelta(apiBefore, apiAfter)) };
}

/** Runs with an idle worker (nothing else queued), so the metric deltas are this export's alone. */
export async function measureCallsPerExport(world: BenchWorld, workerMetricsUrl: string, targets: ExportTargets): Promise<CallsPerExport> {
  const destinationId = await world.createDestination({ ...fakeDestinationBodies.dlz, name: 'bench calls-per-export' });
  const datasetId = targets.datasets[0];
  if (datasetId === undefined) throw new Error('no exportable dataset');
  const spec = { datasetId, destinationId, path: 'bench/calls', format: 'parquet', compression: 'gzip' } as const;
  const first = await oneExport(world, workerMetricsUrl, spec);
  const repeated = await oneExport(world, workerMetricsUrl, spec);
  return { first: first.worker, repeated: repeated.worker, apiFirst: first.api, apiRepeated: repeated.api };
}

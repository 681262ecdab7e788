// Helpers of the simulator data tests: HTTP calls validated against Adobe's specs, a dataset
// export flow built through the Flow Service routes, a controllable clock, and readers for the
// files an export lands.
import assert from 'node:assert/strict';
import type { ContainerClient } from '@azure/storage-blob';
import { generateSeededDatasets, type SeededDataset } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';
import type { ExportManifest } from '../../packages/stand-ins/src/simulator/landing/manifest.js';
import { blobNames, dlzContainerOf, downloadBlob, normaliseParquetValue, rowsOfPart } from '../support/landed-files.js';
import { assertValid, loadSpec, type SpecFile } from '../support/openapi.js';
import { startSimulator, type StartSimulatorOptions, type TestSimulator } from '../support/simulator.js';

export const DLZ_CONNECTION_SPEC_ID = '10440537-2a7b-4583-ac39-ed38d4b848e8';
export const DLZ_FLOW_SPEC_ID = 'cd2fc47e-e838-4f38-a581-8fff2f99b63a';
export const DATA_LAKE_SOURCE_SPEC_ID = '23598e46-f560-407b-88d5-ea6207e49db0';
export const ADHOC_DATASET_ACCEPT = 'application/vnd.adobe.adhoc.dataset.activation+json; version=1';
export const ADHOC_PATH = '/data/core/activation/disflowprovider/adhocrun';
export const RUNS_PATH = '/data/foundation/flowservice/runs';

/** A clock the test moves by hand: readiness windows and run durations without sleeping. */
export class TestClock {
  constructor(public ms = Date.now()) {}
  readonly now = (): number => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface DataSimulator {
  sim: TestSimulator;
  clock: TestClock;
}

/** A simulator on a hand-moved clock; defaults keep flows "not ready" for 60 s and runs for 30 s. */
export async function startDataSimulator(options: StartSimulatorOptions = {}): Promise<DataSimulator> {
  const clock = new TestClock();
  const sim = await startSimulator({ notReadySeconds: 60, runDurationSeconds: 30, seedUsers: 120, now: clock.now, ...options });
  return { sim, clock };
}

export interface CallResult<Body = unknown> {
  status: number;
  body: Body;
  headers: Headers;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** For statuses the spec leaves undocumented (each one is in the deviation table). */
  allowUndocumentedStatus?: boolean;
}

export async function call<Body = unknown>(sim: TestSimulator, method: string, path: string, options: CallOptions = {}): Promise<CallResult<Body>> {
  const headers = await sim.headers(options.headers);
  if (options.body === undefined) delete headers['content-type'];
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as Body, headers: response.headers };
}

/** Calls the simulator and validates both the request and the response against one of Adobe's specs. */
export async function callValidated<Body = unknown>(
  sim: TestSimulator,
  spec: SpecFile,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<Body>> {
  const validator = await loadSpec(spec);
  const headers = await sim.headers(options.headers);
  if (options.body === undefined) delete headers['content-type'];
  assertValid(validator.validateRequest({ method, path, headers, body: options.body }), `${method} ${path} request`);
  const result = await call<Body>(sim, method, path, { ...(options.body === undefined ? {} : { body: options.body }), ...(options.headers === undefined ? {} : { headers: options.headers }) });
  const responseOptions = { allowUndocumentedStatus: options.allowUndocumentedStatus === true };
  assertValid(validator.validateResponse({ method, path }, { status: result.status, body: result.body }, responseOptions), `${method} ${path} response ${result.status}`);
  return result;
}

/** The seeded datasets of the simulator's sandbox, regenerated independently of its database. */
export function expectedSeededDatasets(sim: TestSimulator): SeededDataset[] {
  return generateSeededDatasets({ seed: sim.config.seed, orgId: sim.orgId, sandbox: sim.sandbox }, sim.config.seedUsers);
}

export function expectedDataset(sim: TestSimulator, key: string): SeededDataset {
  const dataset = expectedSeededDatasets(sim).find((d) => d.key === key);
  assert.ok(dataset, `no seeded dataset ${key}`);
  return dataset;
}

export interface ExportFlowOptions {
  datasetIds: string[];
  format?: 'PARQUET' | 'JSON' | 'parquet' | 'json';
  compression?: 'GZIP' | 'NONE' | 'gzip' | 'none';
  path?: string;
  exportMode?: 'FIRST_FULL_THEN_INCREMENTAL' | 'DAILY_FULL_EXPORT';
}

function created(result: CallResult, what: string): string {
  assert.equal(result.status, 201, `${what}: ${JSON.stringify(result.body)}`);
  const id = (result.body as { id?: unknown }).id;
  assert.ok(typeof id === 'string');
  return id;
}

/** Builds base connection, source connection, target connection and flow (aepp's chain, DLZ). */
export async function createExportFlow(sim: TestSimulator, clock: TestClock, options: ExportFlowOptions): Promise<string> {
  const connectionId = created(
    await call(sim, 'POST', '/data/foundation/flowservice/connections', {
      body: { name: 'dlz', auth: null, connectionSpec: { id: DLZ_CONNECTION_SPEC_ID, version: '1.0' } },
    }),
    'base connection',
  );
  const sourceId = created(
    await call(sim, 'POST', '/data/foundation/flowservice/sourceConnections', {
      body: {
        name: 'source',
        connectionSpec: { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' },
        params: { datasets: options.datasetIds.map((dataSetId) => ({ dataSetId })) },
        data: { format: 'parquet' },
      },
    }),
    'source connection',
  );
  const targetId = created(
    await call(sim, 'POST', '/data/foundation/flowservice/targetConnections', {
      body: {
        name: 'target',
        baseConnectionId: connectionId,
        connectionSpec: { id: DLZ_CONNECTION_SPEC_ID, version: '1.0' },
        params: {
          mode: 'Server-to-server',
          compression: options.compression ?? 'gzip',
          datasetFileType: options.format ?? 'parquet',
          path: options.path ?? 'cmle/egress',
        },
      },
    }),
    'target connection',
  );
  const nowSeconds = Math.floor(clock.ms / 1000);
  // Both start a year out, so the scheduler never fires them while a test runs its ad hoc runs.
  const scheduleParams =
    options.exportMode === 'DAILY_FULL_EXPORT'
      ? { timeUnit: 'day', interval: 0, exportMode: 'DAILY_FULL_EXPORT', startTime: nowSeconds + 365 * 24 * 3600 }
      : { interval: 1, timeUnit: 'day', startTime: nowSeconds + 365 * 24 * 3600 };
  return created(
    await call(sim, 'POST', '/data/foundation/flowservice/flows', {
      body: {
        name: 'export flow',
        flowSpec: { id: DLZ_FLOW_SPEC_ID, version: '1.0' },
        sourceConnectionIds: [sourceId],
        targetConnectionIds: [targetId],
        transformations: [],
        scheduleParams,
      },
    }),
    'flow',
  );
}

export interface AdhocResponse {
  destinations: { datasets: { id: string; statusURL: string; flowId: string }[] }[];
}

export function adhocBody(flowId: string, datasetIds: string[]): unknown {
  return { activationInfo: { destinations: [{ flowId, datasets: datasetIds.map((id) => ({ id })) }] } };
}

export async function requestAdhocRun(sim: TestSimulator, flowId: string, datasetIds: string[], accept = ADHOC_DATASET_ACCEPT): Promise<CallResult> {
  return call(sim, 'POST', ADHOC_PATH, { body: adhocBody(flowId, datasetIds), headers: { accept } });
}

/** Starts one ad hoc run and returns its run id (the last segment of statusURL, as aepp does). */
export async function startRun(sim: TestSimulator, flowId: string, datasetId: string): Promise<string> {
  const result = await requestAdhocRun(sim, flowId, [datasetId]);
  assert.equal(result.status, 200, JSON.stringify(result.body));
  const statusURL = (result.body as AdhocResponse).destinations[0]?.datasets[0]?.statusURL;
  assert.ok(statusURL !== undefined);
  const runId = statusURL.split('/').at(-1);
  assert.ok(runId !== undefined && runId !== '');
  return runId;
}

export interface RunView {
  id: string;
  flowId: string;
  metrics: {
    durationSummary: { startedAtUTC: number; completedAtUTC?: number };
    sizeSummary?: { outputBytes?: number };
    recordSummary?: { outputRecordCount?: number };
    fileSummary?: { outputFileCount?: number };
    statusSummary: { status: string; errors?: { code: string; message: string }[] };
  };
}

export async function getRun(sim: TestSimulator, runId: string): Promise<RunView> {
  const result = await callValidated<{ items: RunView[] }>(sim, 'flow-service.yaml', 'GET', `${RUNS_PATH}/${runId}`);
  assert.equal(result.status, 200);
  const run = result.body.items[0];
  assert.ok(run !== undefined);
  return run;
}

/** Moves the clock past the run's duration and reads the run (which completes it). */
export async function finishRun(sim: TestSimulator, clock: TestClock, runId: string): Promise<RunView> {
  clock.advanceSeconds(sim.config.runDurationSeconds + 1);
  return getRun(sim, runId);
}

export interface LandedExport {
  /** Blob prefix of the export folder in the DLZ container (`<path>/<datasetId>/exportTime=…`). */
  folder: string;
  manifest: ExportManifest;
  /** Every blob name under the folder. */
  names: string[];
  container: ContainerClient;
}

/** Finds the manifest of a run under <path>/<datasetId>/exportTime=* in the DLZ container, read with its SAS. */
export async function findExport(sim: TestSimulator, path: string, datasetId: string, runId: string): Promise<LandedExport | null> {
  const container = await dlzContainerOf(sim);
  const prefix = `${path.split('/').filter((s) => s !== '').join('/')}/${datasetId}/`;
  const names = await blobNames(container, prefix);
  const manifestName = names.find((name) => name.endsWith(`/manifest-${runId}.json`));
  if (manifestName === undefined) return null;
  const folder = manifestName.slice(0, manifestName.lastIndexOf('/'));
  const manifest = JSON.parse((await downloadBlob(container, manifestName)).toString('utf8')) as ExportManifest;
  return { folder, manifest, names: names.filter((name) => name.startsWith(`${folder}/`)), container };
}

export { normaliseParquetValue };

/** The rows of every part file the manifest lists, in order. */
export async function readExportRows(landed: LandedExport): Promise<unknown[]> {
  const rows: unknown[] = [];
  for (const file of landed.manifest.files) rows.push(...(await rowsOfPart(file.name, await downloadBlob(landed.container, `${landed.folder}/${file.name}`))));
  return rows;
}

export { startSimulator };

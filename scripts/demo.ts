// `npm run demo`: the export workflow end to end against a running service (`npm start` on its
// defaults): create a Data Landing Zone destination and an on-demand export through the HTTP API,
// show its progress until the run ends, and list the files that landed.
//
//   npm run demo
//   options: --url and --key (default: AEPJ_URL and AEPJ_API_KEY, then the URL and key a local
//   `npm start` wrote under data/), --landing (the simulator's LANDING_ZONE_DIR, default
//   ./data/landing), --dataset (default: the CMLE experience events), --path
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { discoverLocalService } from '../src/runtime/local-service.js';
import { client, waitUntilReady } from './demo-http.js';

const DEFAULT_DATASET_NAME = 'CMLE Synthetic Experience Events';

const OptionsSchema = z.object({
  url: z.url(),
  urlSource: z.string(),
  key: z.string({ error: 'no API key: pass --key, set AEPJ_API_KEY, or run `npm start` once (it writes data/local-api-key)' }).min(20),
  landing: z.string().default('./data/landing'),
  dataset: z.string().optional(),
  path: z.string().default(`demo/${new Date().toISOString().slice(0, 19).replaceAll(/[-:]/g, '').replace('T', '-')}`),
});
type Options = z.infer<typeof OptionsSchema>;

/** The demo's only configuration: command-line flags, falling back to two environment variables. */
async function demoOptions(): Promise<Options> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, key: { type: 'string' }, landing: { type: 'string' }, dataset: { type: 'string' }, path: { type: 'string' } },
  });
  const parsed = OptionsSchema.safeParse({ ...values, ...(await discoverLocalService(values, process.env)) });
  if (!parsed.success) {
    console.error(z.prettifyError(parsed.error));
    process.exit(2);
  }
  return parsed.data;
}

interface ExportRun {
  state: string;
  platformRunId: string | null;
  files: number | null;
  bytes: number | null;
  records: number | null;
}
interface ExportView {
  id: string;
  status: string;
  step: string;
  datasetId: string;
  path: string;
  platform: Record<string, string | null>;
  error: { code: string; message: string; platformCode: string | null } | null;
  runs: ExportRun[];
}

const terminal = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

async function listFiles(root: string): Promise<{ name: string; bytes: number }[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(files.sort().map(async (f) => ({ name: relative(root, f), bytes: (await stat(f)).size })));
}

async function main(): Promise<void> {
  const options = await demoOptions();
  const call = client(options);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;

  await waitUntilReady(options);
  const datasets = await call<{ items: { id: string; name: string; labels: string[] }[] }>('GET', '/datasets?limit=100');
  const dataset = options.dataset
    ? datasets.items.find((d) => d.id === options.dataset)
    : datasets.items.find((d) => d.name === DEFAULT_DATASET_NAME) ?? datasets.items[0];
  if (!dataset) throw new Error('no dataset to export');
  console.log(`dataset      ${dataset.name} (${dataset.id})`);

  const destination = await call<{ id: string }>('POST', '/destinations', { type: 'dlz', name: `demo landing zone ${options.path}`, params: {} });
  console.log(`destination  Data Landing Zone ${destination.id}`);

  const accepted = await call<ExportView>('POST', '/exports', {
    datasetId: dataset.id,
    destinationId: destination.id,
    path: options.path,
    format: 'parquet',
    compression: 'gzip',
  });
  console.log(`export       ${accepted.id} -> ${options.path} (parquet, gzip)\n`);

  let seen = '';
  let current = accepted;
  while (!terminal.has(current.status)) {
    const state = `${current.status} / ${current.step}`;
    if (state !== seen) {
      console.log(`${elapsed()}  ${state}`);
      seen = state;
    }
    await sleep(500);
    current = await call<ExportView>('GET', `/exports/${accepted.id}`);
  }
  console.log(`${elapsed()}  ${current.status} / ${current.step}\n`);
  console.log('Platform ids', current.platform);

  const run = current.runs.at(-1);
  if (current.status !== 'succeeded' || !run) {
    console.log(`\nthe export ended ${current.status}: ${current.error?.message ?? 'no details'}`);
    process.exitCode = 1;
    return;
  }
  console.log(`run          ${run.platformRunId}: ${run.files} files, ${run.records} records, ${run.bytes} bytes`);

  const folder = join(options.landing, ...current.path.split('/'), current.datasetId);
  const files = await listFiles(folder);
  console.log(`\nfiles landed under ${folder}:`);
  for (const file of files) console.log(`  ${String(file.bytes).padStart(9)}  ${file.name}`);
  const manifest = files.find((f) => /manifest-.*\.json$/.test(f.name));
  if (manifest) {
    const parsed = JSON.parse(await readFile(join(folder, manifest.name), 'utf8')) as { totalRecords?: number; files?: unknown[] };
    console.log(`\nmanifest: ${parsed.files?.length ?? 0} part files, ${parsed.totalRecords ?? '?'} records`);
  }
  if (files.length === 0) console.log(`  (none found: pass --landing with the simulator's LANDING_ZONE_DIR)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

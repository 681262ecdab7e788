// `npm run demo`: the export workflow end to end against a running service (`npm start` on its
// defaults): create a Data Landing Zone destination and an on-demand export through the HTTP API,
// show its progress until the run ends, then list the URIs of the files that landed (in the
// simulator's Azurite DLZ container) and download one through its signed URL with a plain GET.
//
//   npm run demo
//   options: --url and --key (default: AEPJ_URL and AEPJ_API_KEY, then the URL and key a local
//   `npm start` wrote under data/), --dataset (default: the CMLE experience events), --path
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
  dataset: z.string().optional(),
  path: z.string().default(`demo/${new Date().toISOString().slice(0, 19).replaceAll(/[-:]/g, '').replace('T', '-')}`),
});
type Options = z.infer<typeof OptionsSchema>;

/** The demo's only configuration: command-line flags, falling back to two environment variables. */
async function demoOptions(): Promise<Options> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, key: { type: 'string' }, dataset: { type: 'string' }, path: { type: 'string' } },
  });
  const parsed = OptionsSchema.safeParse({ ...values, ...(await discoverLocalService(values, process.env)) });
  if (!parsed.success) {
    console.error(z.prettifyError(parsed.error));
    process.exit(2);
  }
  return parsed.data;
}

interface RunFiles {
  folderUri: string | null;
  files: { uri: string; path: string; size: number; download: { kind: 'signed' | 'api'; url: string; expiresAt: string | null } }[];
}

interface ExportRun {
  id: string;
  folderUri: string | null;
  filesError: string | null;
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

  console.log(`\nfolder       ${run.folderUri ?? '(not listed)'}`);
  if (run.filesError) console.log(`             ${run.filesError}`);
  const listed = await call<RunFiles>('GET', `/exports/${current.id}/runs/${run.id}/files`);
  for (const file of listed.files) console.log(`  ${String(file.size).padStart(9)}  ${file.uri}`);

  // One signed URL, fetched with a plain HTTP GET as anyone holding it could.
  const part = listed.files.find((f) => f.download.kind === 'signed' && /part-\d{5}/.test(f.path));
  if (part) {
    const response = await fetch(part.download.url);
    const bytes = (await response.arrayBuffer()).byteLength;
    console.log(`\nsigned URL (until ${part.download.expiresAt ?? '?'}):\n  ${part.download.url}`);
    console.log(`  GET -> ${response.status}, ${bytes} bytes${bytes === part.size ? ' (the whole file)' : ''}`);
    if (response.status !== 200 || bytes !== part.size) process.exitCode = 1;
  } else if (listed.files.length === 0) {
    console.log('  (no files listed)');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

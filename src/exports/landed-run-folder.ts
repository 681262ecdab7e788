// Finds the folder one export run landed in at its destination: the Platform lays exports out as
// <path>/<datasetId>/exportTime=<YYYYMMDDHHMM[SS]>/ (reference cmle §3, platform-export §5) and
// writes a manifest beside the parts. The run's own manifest (manifest-<flowRunId>.json) names its
// files exactly; without one, the exportTime folder within the run's time window is taken.
// The listing starts narrow: only the exportTime folders the run's window can name (their shared
// name prefix), which holds the run's manifest whatever number of runs landed under the path
// before; the whole dataset folder is listed only when that finds no manifest.
import { normaliseStoragePath, type ObjectStore, type StoredFile } from '../storage/object-store.js';

export interface LandedRunFolder {
  folderPath: string;
  folderUri: string;
  files: StoredFile[];
}

export interface RunWindow {
  platformRunId: string;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** Slack around the run's start and end: the folder is named when the Platform starts writing. */
const WINDOW_SLACK_MS = 2 * 60_000;

function exportTimeOf(folder: string): number | null {
  const match = /exportTime=(\d{12}(?:\d{2})?)$/.exec(folder);
  if (match?.[1] === undefined) return null;
  const d = match[1];
  return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)), Number(d.slice(8, 10)), Number(d.slice(10, 12)), d.length === 14 ? Number(d.slice(12, 14)) : 0);
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** `YYYYMMDDHHMMSS` in UTC, the layout of exportTime folder names. */
function exportTimeName(at: number): string {
  return new Date(at).toISOString().replace(/\D/g, '').slice(0, 14);
}

/**
 * The exportTime name prefix every folder of the window shares (fixed-width digits sort as
 * numbers, so all names between the window's ends share the ends' common prefix), or null when the
 * window is unknown.
 */
function windowNamePrefix(from: number, to: number): string | null {
  if (from <= 0 || to < from) return null;
  const a = exportTimeName(from);
  const b = exportTimeName(to);
  let n = 0;
  while (n < a.length && a[n] === b[n]) n += 1;
  return `exportTime=${a.slice(0, n)}`;
}

async function manifestNames(store: ObjectStore, manifest: StoredFile): Promise<Set<string> | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read(manifest.path)) chunks.push(Buffer.from(chunk as Uint8Array));
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { files?: unknown };
    if (!Array.isArray(parsed.files)) return null;
    // An empty list is an answer too (an incremental run with nothing new): the run landed no part
    // file, and the folder's other files, another run's of the same minute, are not its own.
    return new Set(parsed.files.map((f: { name?: unknown }) => f.name).filter((n): n is string => typeof n === 'string'));
  } catch {
    return null;
  }
}

export async function locateRunFolder(store: ObjectStore, exp: { path: string; datasetId: string }, run: RunWindow): Promise<LandedRunFolder | null> {
  const base = normaliseStoragePath(`${exp.path}/${exp.datasetId}/`);
  const result = (folderPath: string, files: StoredFile[]): LandedRunFolder => ({ folderPath: `${folderPath}/`, folderUri: store.uriOf(`${folderPath}/`), files });
  const manifestName = `/manifest-${run.platformRunId}.json`;

  const from = (run.startedAt?.getTime() ?? run.completedAt?.getTime() ?? 0) - WINDOW_SLACK_MS;
  const to = (run.completedAt?.getTime() ?? Date.now()) + WINDOW_SLACK_MS;
  const namePrefix = windowNamePrefix(from - 60_000, to);
  let all = namePrefix === null ? null : await store.list(`${base}${namePrefix}`);
  if (all?.some((f) => f.path.endsWith(manifestName)) !== true) all = await store.list(base);

  const manifest = all.find((f) => f.path.endsWith(manifestName));
  if (manifest !== undefined) {
    const folder = folderOf(manifest.path);
    const inFolder = all.filter((f) => folderOf(f.path) === folder);
    const names = await manifestNames(store, manifest);
    const files = names === null ? inFolder : inFolder.filter((f) => f.path === manifest.path || names.has(f.path.slice(folder.length + 1)));
    return result(folder, files);
  }

  const candidates = [...new Set(all.map((f) => folderOf(f.path)))]
    .map((folder) => ({ folder, at: exportTimeOf(folder) }))
    .filter((c): c is { folder: string; at: number } => c.at !== null && c.at >= from - 60_000 && c.at <= to)
    .sort((a, b) => b.at - a.at);
  const chosen = candidates[0];
  if (chosen === undefined) return null;
  return result(chosen.folder, all.filter((f) => folderOf(f.path) === chosen.folder));
}

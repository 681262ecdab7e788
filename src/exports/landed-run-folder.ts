// Finds the folder one export run landed in at its destination: the Platform lays exports out as
// <path>/<datasetId>/exportTime=<YYYYMMDDHHMM[SS]>/ (reference cmle §3, platform-export §5) and
// writes a manifest beside the parts. The run's own manifest (manifest-<flowRunId>.json) names its
// files exactly; without one, the exportTime folder within the run's time window is taken.
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
  const all = await store.list(base);
  const result = (folderPath: string, files: StoredFile[]): LandedRunFolder => ({ folderPath: `${folderPath}/`, folderUri: store.uriOf(`${folderPath}/`), files });

  const manifest = all.find((f) => f.path.endsWith(`/manifest-${run.platformRunId}.json`));
  if (manifest !== undefined) {
    const folder = folderOf(manifest.path);
    const inFolder = all.filter((f) => folderOf(f.path) === folder);
    const names = await manifestNames(store, manifest);
    const files = names === null ? inFolder : inFolder.filter((f) => f.path === manifest.path || names.has(f.path.slice(folder.length + 1)));
    return result(folder, files);
  }

  const from = (run.startedAt?.getTime() ?? run.completedAt?.getTime() ?? 0) - WINDOW_SLACK_MS;
  const to = (run.completedAt?.getTime() ?? Date.now()) + WINDOW_SLACK_MS;
  const candidates = [...new Set(all.map((f) => folderOf(f.path)))]
    .map((folder) => ({ folder, at: exportTimeOf(folder) }))
    .filter((c): c is { folder: string; at: number } => c.at !== null && c.at >= from - 60_000 && c.at <= to)
    .sort((a, b) => b.at - a.at);
  const chosen = candidates[0];
  if (chosen === undefined) return null;
  return result(chosen.folder, all.filter((f) => folderOf(f.path) === chosen.folder));
}

// Reads a V8 .cpuprofile (node --cpu-prof) and says where the accept path's CPU time goes: self
// time summed by package (node_modules/<pkg>), by our own source file, and by V8/Node internals
// (GC, program), plus the hottest functions. Native and Node-core frames (a writev syscall) count
// for the package or file that called them, so the owner table says who causes the time.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  percent: number;
}

export interface ProfileSummary {
  /** Busy time (not idle), ms. */
  busyMs: number;
  idlePercent: number;
  byOwner: ProfileShare[];
  topFunctions: ProfileShare[];
}

/** Who a frame belongs to: a package, one of our files, or a V8/Node internal bucket. */
function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName === '' ? '(anonymous native)' : functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg;
  const ours = /\/(src\/.+)$/.exec(url)?.[1];
  if (ours !== undefined) return ours;
  if (url.startsWith('node:')) return `node core (${url.slice(5).split('/')[0]})`;
  return url.split('/').slice(-2).join('/');
}

function top(totals: Map<string, number>, busy: number, n: number): ProfileShare[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, micros]) => ({ name, percent: Math.round((micros / busy) * 1000) / 10 }));
}

export async function summarizeProfile(file: string, n = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  /** Native and Node-core frames (a writev syscall, stream internals) are charged to the nearest caller outside them. */
  const callerOwner = (id: number): string | undefined => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame !== undefined && frame.url !== '' && !frame.url.startsWith('node:')) return ownerOf(frame.url, frame.functionName);
    }
    return undefined;
  };
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const internal = frame.url === '' || frame.url.startsWith('node:');
    const owner = internal ? (callerOwner(id) ?? ownerOf(frame.url, frame.functionName)) : ownerOf(frame.url, frame.functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + micros);
    const fn = `${frame.functionName || '(anonymous)'} ${owner}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
  }
  const busy = total - idle;
  return {
    busyMs: Math.round(busy / 1000),
    idlePercent: Math.round((idle / Math.max(total, 1)) * 1000) / 10,
    byOwner: top(owners, busy, n),
    topFunctions: top(functions, busy, n),
  };
}

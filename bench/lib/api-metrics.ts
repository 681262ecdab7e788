// The API's own view of a load run, from its /metrics before and after: garbage collection (pauses
// by kind), event-loop delay, and how long POST /exports took inside the server. Set against the
// client's latencies, it says whether a slow tail is spent in the server or outside it (the load
// generator, sockets, queueing in the client).

export interface ApiWindow {
  gcPauses: Record<string, { count: number; totalMs: number }>;
  /** Event-loop delay over the window (prom-client resets its histogram on every scrape). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Share of POST /exports answered within each bound, as the server timed them. */
  serverShareWithin: Record<string, number>;
}

type Samples = Map<string, number>;

async function scrape(url: string): Promise<Samples> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const labelOf = (name: string, label: string): string | undefined => new RegExp(`${label}="([^"]*)"`).exec(name)?.[1];

function window(before: Samples, after: Samples): ApiWindow {
  const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const gcPauses: ApiWindow['gcPauses'] = {};
  const serverShareWithin: Record<string, number> = {};
  let postCount = 0;
  const buckets: [string, number][] = [];
  for (const name of after.keys()) {
    if (name.startsWith('aepj_nodejs_gc_duration_seconds_count')) {
      const kind = labelOf(name, 'kind') ?? '?';
      gcPauses[kind] = { count: delta(name), totalMs: Math.round(delta(name.replace('_count', '_sum')) * 1000) };
    }
    if (name.startsWith('aepj_http_request_duration_seconds') && name.includes('method="POST"') && name.includes('route="/exports"')) {
      if (name.startsWith('aepj_http_request_duration_seconds_count')) postCount += delta(name);
      const le = labelOf(name, 'le');
      if (name.startsWith('aepj_http_request_duration_seconds_bucket') && le !== undefined && le !== '+Inf') buckets.push([le, delta(name)]);
    }
  }
  const byBound = new Map<string, number>();
  for (const [le, count] of buckets) byBound.set(le, (byBound.get(le) ?? 0) + count);
  for (const [le, count] of byBound) serverShareWithin[`${Number(le) * 1000} ms`] = postCount === 0 ? Number.NaN : Math.round((count / postCount) * 10000) / 10000;
  return {
    gcPauses,
    eventLoopDelayP99Ms: Math.round((after.get('aepj_nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 100000) / 100,
    eventLoopDelayMaxMs: Math.round((after.get('aepj_nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 100000) / 100,
    serverShareWithin,
  };
}

/** Scrapes now; the returned function scrapes again and gives what happened in between. */
export async function watchApi(url: string): Promise<() => Promise<ApiWindow>> {
  const before = await scrape(url);
  return async () => window(before, await scrape(url));
}

// A short-lived cache for lookups made on every request (an API key, a tenant row). Plain expiry
// makes every request that arrives while the entry is being read again wait on the database, and
// each of them read it: at hundreds of requests a second, a burst of identical queries and a stall
// every ttl. Here one read runs per key at a time (later callers share it), and a value in the last
// stretch of its lifetime is read again in the background by the first request that sees it,
// while it keeps answering. A value is never served past its lifetime: once expired, callers wait.
// delete/clear also discard reads already on their way (a revocation must not be undone by a read
// that started before it).

export interface RefreshAheadCacheOptions<T> {
  ttlMs: number;
  /** How long before expiry a hit starts a background read (default ttlMs / 5). */
  refreshAheadMs?: number;
  /** How long to keep a value read at `now` (default ttlMs; 0 or less: not kept). */
  lifetimeMs?: (value: T, now: number) => number;
  maxEntries?: number;
  now?: () => number;
}

export interface RefreshAheadCache<T> {
  get(key: string, load: () => Promise<T>): Promise<T>;
  delete(key: string): void;
  clear(): void;
}

interface Entry<T> {
  value: T;
  until: number;
}

export function createRefreshAheadCache<T>(opts: RefreshAheadCacheOptions<T>): RefreshAheadCache<T> {
  const now = opts.now ?? Date.now;
  const refreshAheadMs = opts.refreshAheadMs ?? opts.ttlMs / 5;
  const maxEntries = opts.maxEntries ?? 10_000;
  const entries = new Map<string, Entry<T>>();
  const reads = new Map<string, Promise<T>>();
  /** Bumped by delete/clear: a read started before keeps its answer to its callers but stores nothing. */
  let generation = 0;

  function read(key: string, load: () => Promise<T>): Promise<T> {
    const running = reads.get(key);
    if (running) return running;
    const startedIn = generation;
    const reading = load().then(
      (value) => {
        if (startedIn === generation) {
          const at = now();
          const keepMs = opts.lifetimeMs?.(value, at) ?? opts.ttlMs;
          if (keepMs > 0) {
            if (entries.size >= maxEntries && !entries.has(key)) entries.clear();
            entries.set(key, { value, until: at + keepMs });
          } else entries.delete(key);
        }
        return value;
      },
      (error: unknown) => {
        // A failed read (unknown key, database down) is not kept; the next caller reads again.
        if (startedIn === generation) entries.delete(key);
        throw error;
      },
    );
    reads.set(key, reading);
    const forget = (): void => {
      if (reads.get(key) === reading) reads.delete(key);
    };
    reading.then(forget, forget);
    return reading;
  }

  return {
    get(key, load) {
      const at = now();
      const hit = entries.get(key);
      if (hit && hit.until > at) {
        if (hit.until - at <= refreshAheadMs && !reads.has(key)) {
          // Its callers are told by the next read's outcome; this one answers from the cache.
          read(key, load).catch(() => undefined);
        }
        return Promise.resolve(hit.value);
      }
      return read(key, load);
    },
    delete(key) {
      generation++;
      entries.delete(key);
      reads.delete(key);
    },
    clear() {
      generation++;
      entries.clear();
      reads.clear();
    },
  };
}

// Caps how many requests may hold a pooled connection while asking the pool for another (a
// transaction-scoped advisory lock held during reads through the pool). Without a cap, as many such
// requests as the pool has connections each hold one and wait forever for a second.
export interface ConnectionGate {
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createConnectionGate(limit: number): ConnectionGate {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(work) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await work();
      } finally {
        // Hand the slot straight to the next waiter, or free it.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}
